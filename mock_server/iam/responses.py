"""IAM's answer bodies: the token, projects and users, as Huawei IAM writes them."""

from __future__ import annotations

import json
import threading
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from sms_mock.mock_server.core.clock import iso_ms
from sms_mock.mock_server.iam.directory import Directory
from sms_mock.mock_server.iam.models import Account, Project, Token, User

ROLES = [{"id": "0", "name": "te_admin"}, {"id": "0", "name": "op_gated_sms"}]


def token_body(account: Account, token: Token, directory: Directory | None) -> dict[str, Any]:
    """The `{"token": ...}` answer; every key of the SDK's TokenResult, null where unset.

    Without a directory (`?nocatalog`) the catalog is an empty list, as IAM answers.
    """
    user = account.users[token.user_id]
    user_domain = account.domains[user.domain_id]
    project = account.projects.get(token.project_id or "")
    domain = account.domains.get(token.domain_id or "")
    body: dict[str, Any] = {
        "methods": list(token.methods),
        "expires_at": iso_ms(token.expires_ms),
        "issued_at": iso_ms(token.issued_ms),
        "catalog": directory.catalog(project) if directory else [],
        "domain": {"id": domain.id, "name": domain.name} if domain else None,
        "project": (
            {
                "id": project.id,
                "name": project.name,
                "domain": {
                    "id": project.domain_id,
                    "name": account.domains[project.domain_id].name,
                },
            }
            if project
            else None
        ),
        "roles": [dict(role) for role in ROLES],
        "user": {
            "id": user.id,
            "name": user.name,
            "password_expires_at": "",
            "domain": {"id": user_domain.id, "name": user_domain.name},
            "OS-FEDERATION": None,
        },
    }
    return {"token": body}


_ENCODER = json.JSONEncoder(separators=(",", ":"))  # json_bytes' encoding, made once


def _dumps(value: Any) -> bytes:
    return _ENCODER.encode(value).encode()


class TokenAnswers:
    """The `{"token": ...}` answer as bytes, the same as `token_body`'s JSON: its parts that
    are not the token's times are made once for each kind of token (methods, user, scope,
    catalog) and kept, so that issuing a token costs two times written, not a catalog and an
    answer built and encoded. The account never changes under an IamBackend (a reset makes a
    new one), so a kept part stays true; at most KEPT kinds (the catalog's URLs come from the
    request's host) are kept, the oldest dropped first.
    """

    KEPT = 64

    def __init__(self, account: Account) -> None:
        self.account = account
        self._parts: dict[tuple[Any, ...], tuple[bytes, bytes]] = {}
        self._times: dict[int, bytes] = {}
        self._lock = threading.Lock()

    def answer(self, token: Token, urls: tuple[str, str] | None) -> bytes:
        """The answer for `token`, its catalog at these (SMS, IAM) URLs; None: no catalog."""
        key = (tuple(token.methods), token.user_id, token.project_id, token.domain_id, urls)
        parts = self._parts.get(key)
        if parts is None:
            directory = None if urls is None else Directory(self.account, *urls)
            parts = self._made(token, directory)
            with self._lock:
                while len(self._parts) >= self.KEPT:
                    del self._parts[next(iter(self._parts))]
                self._parts[key] = parts
        head, rest = parts
        # `token_body`'s keys in order: methods, expires_at, issued_at, then the rest.
        return b"".join(
            (head, self._time(token.expires_ms), b',"issued_at":', self._time(token.issued_ms),
             b",", rest)
        )  # fmt: skip

    def _time(self, ms: int) -> bytes:
        """A time as the answer writes it, in JSON; the last few kept (tokens issued within
        a millisecond, or on a clock standing still, share theirs)."""
        written = self._times.get(ms)
        if written is None:
            written = encode_basestring_ascii(iso_ms(ms)).encode()
            if len(self._times) >= 16:
                self._times.clear()
            self._times[ms] = written
        return written

    def _made(self, token: Token, directory: Directory | None) -> tuple[bytes, bytes]:
        body = token_body(self.account, token, directory)["token"]
        head = b'{"token":{"methods":' + _dumps(body.pop("methods")) + b',"expires_at":'
        del body["expires_at"], body["issued_at"]
        return head, _dumps(body)[1:] + b"}"  # past its `{`, and closing the outer object


def project_body(project: Project, base_url: str) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "domain_id": project.domain_id,
        "parent_id": project.domain_id,
        "is_domain": False,
        "description": "",
        "enabled": True,
        "links": {"self": f"{base_url}/v3/projects/{project.id}"},
    }


def user_body(user: User, account: Account, base_url: str) -> dict[str, Any]:
    """A user as GET /v3/users lists it: every key of the SDK's KeystoneListUsersResult."""
    home = account.home_project(user.domain_id)
    return {
        "id": user.id,
        "name": user.name,
        "domain_id": user.domain_id,
        "enabled": True,
        "description": "",
        "password_expires_at": None,  # the emulator's passwords never expire
        "pwd_status": False,  # nor is a change of password ever due
        "pwd_strength": password_strength(user.password),
        # INFERRED: the project a console user last used; the emulator has no console, so the
        # project a client would start from, the account's first.
        "last_project_id": home.id if home else None,
        "access_mode": "default",
        "links": {"self": f"{base_url}/v3/users/{user.id}", "previous": None, "next": None},
    }


def password_strength(password: str) -> str:
    """INFERRED: IAM's grade of a password, by its length and its kinds of character (lower
    case, upper case, digits, others): three kinds and 8 characters are high, two kinds mid."""
    kinds = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if kinds >= 3 and len(password) >= 8:
        return "high"
    return "mid" if kinds >= 2 else "low"
