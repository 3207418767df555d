"""IAM resources: the account (domains, projects, users, access keys) and the tokens issued."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from mock_server.clock import Clock, iso_ms
from mock_server.iam import errors
from mock_server.ids import new_token

TOKEN_LIFETIME_MS = 24 * 3600 * 1000
LOCK_AFTER_FAILURES = 5
LOCK_MS = 15 * 60 * 1000
# The API gateway locks an AK after repeated bad signatures: 5 in a row, for 5 minutes.
AK_LOCK_AFTER_FAILURES = 5
AK_LOCK_MS = 5 * 60 * 1000
ROLES = [{"id": "0", "name": "te_admin"}, {"id": "0", "name": "op_gated_sms"}]


@dataclass(frozen=True)
class Domain:
    id: str
    name: str


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    domain_id: str


@dataclass(frozen=True)
class User:
    id: str
    name: str
    password: str
    domain_id: str


@dataclass(frozen=True)
class AccessKey:
    ak: str
    sk: str
    user_id: str


@dataclass
class Account:
    """Everything IAM knows that is not a token: loaded from fixtures, never changed by the API."""

    domains: dict[str, Domain] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    access_keys: dict[str, AccessKey] = field(default_factory=dict)
    default_project_id: str | None = None

    def export(self) -> dict[str, Any]:
        return {
            "domains": [asdict(d) for d in self.domains.values()],
            "projects": [asdict(p) for p in self.projects.values()],
            "users": [asdict(u) for u in self.users.values()],
            "access_keys": [asdict(k) for k in self.access_keys.values()],
            "default_project_id": self.default_project_id,
        }

    @classmethod
    def restore(cls, data: dict[str, Any]) -> Account:
        return cls(
            domains={d["id"]: Domain(**d) for d in data["domains"]},
            projects={p["id"]: Project(**p) for p in data["projects"]},
            users={u["id"]: User(**u) for u in data["users"]},
            access_keys={k["ak"]: AccessKey(**k) for k in data["access_keys"]},
            default_project_id=data.get("default_project_id"),
        )

    def merge(self, other: Account) -> None:
        self.domains.update(other.domains)
        self.projects.update(other.projects)
        self.users.update(other.users)
        self.access_keys.update(other.access_keys)
        self.default_project_id = self.default_project_id or other.default_project_id

    def domain_named(self, name: str) -> Domain | None:
        return next((d for d in self.domains.values() if d.name == name), None)

    def domain_of(self, spec: dict[str, Any]) -> Domain | None:
        """The domain of a request's `{"id": ...}` or `{"name": ...}`."""
        if spec.get("id"):
            return self.domains.get(spec["id"])
        return self.domain_named(spec.get("name", ""))

    def project_by_id_or_name(self, ref: str) -> Project | None:
        """A project by id, else by name (names are unique within a domain; the first wins)."""
        if ref in self.projects:
            return self.projects[ref]
        return next((p for p in self.projects.values() if p.name == ref), None)

    def projects_of(self, domain_id: str) -> list[Project]:
        return [p for p in self.projects.values() if p.domain_id == domain_id]


@dataclass
class Token:
    id: str
    user_id: str
    methods: list[str]
    issued_ms: int
    expires_ms: int
    project_id: str | None = None
    domain_id: str | None = None  # set for a domain-scoped token


def _endpoint_id(*parts: str) -> str:
    return hashlib.md5(":".join(parts).encode(), usedforsecurity=False).hexdigest()


class IamBackend:
    """Tokens and password lock-outs of one emulator, on its clock; thread-safe."""

    def __init__(self, clock: Clock, account: Account) -> None:
        self.clock = clock
        self.account = account
        self._lock = threading.Lock()
        self.tokens: dict[str, Token] = {}
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, int] = {}
        self._ak_failures: dict[str, int] = {}
        self._ak_locked_until: dict[str, int] = {}
        self._new_tokens: list[str] = []  # issued since the state file last saw them
        self._locks_changed = False

    # --- authentication ----------------------------------------------------------------------

    def _find_user(self, spec: dict[str, Any]) -> User | None:
        if spec.get("id"):
            return self.account.users.get(spec["id"])
        domain = self.account.domain_of(spec["domain"])
        if domain is None:
            return None
        return next(
            (
                u
                for u in self.account.users.values()
                if u.domain_id == domain.id and u.name == spec["name"]
            ),
            None,
        )

    def check_password(self, spec: dict[str, Any]) -> User:
        """The user of a password identity; wrong passwords count towards a lock-out."""
        user = self._find_user(spec)
        if user is None:
            raise errors.wrong_credentials()
        now = self.clock.now_ms()
        with self._lock:
            if self._locked_until.get(user.id, 0) > now:
                raise errors.account_locked()
            if spec["password"] != user.password:
                failures = self._failures.get(user.id, 0) + 1
                if failures >= LOCK_AFTER_FAILURES:
                    self._locked_until[user.id] = now + LOCK_MS
                    failures = 0
                self._failures[user.id] = failures
                self._locks_changed = True
                raise errors.wrong_credentials()
            if self._failures.pop(user.id, None) is not None:
                self._locks_changed = True
        return user

    def token_owner(self, token_id: str) -> tuple[Token, User]:
        token = self.valid_token(token_id)
        if token is None:
            raise errors.auth_required()
        return token, self.account.users[token.user_id]

    # --- access keys ----------------------------------------------------------------------------

    def ak_locked(self, ak: str) -> bool:
        return self._ak_locked_until.get(ak, 0) > self.clock.now_ms()

    def signature_failed(self, ak: str) -> None:
        """Count a bad signature of a known AK; the fifth in a row locks the AK."""
        now = self.clock.now_ms()
        with self._lock:
            failures = self._ak_failures.get(ak, 0) + 1
            if failures >= AK_LOCK_AFTER_FAILURES:
                self._ak_locked_until[ak] = now + AK_LOCK_MS
                failures = 0
            self._ak_failures[ak] = failures
            self._locks_changed = True

    def signature_passed(self, ak: str) -> None:
        if self._ak_failures.get(ak):
            with self._lock:
                self._ak_failures.pop(ak, None)
                self._locks_changed = True

    # --- scope ------------------------------------------------------------------------------

    def resolve_scope(
        self, user: User, scope: dict[str, Any] | None
    ) -> tuple[Project | None, Domain | None]:
        """(project, None), (None, domain) or, without a scope, (None, None): an unscoped token."""
        if not scope:
            return None, None
        if "project" in scope:
            return self._project_in_scope(user, scope["project"]), None
        domain = self.account.domain_of(scope["domain"])
        if domain is None or domain.id != user.domain_id:
            raise errors.wrong_credentials()
        return None, domain

    def _project_in_scope(self, user: User, spec: dict[str, Any]) -> Project:
        if spec.get("id"):
            project = self.account.projects.get(spec["id"])
        else:
            domain_id = user.domain_id
            if spec.get("domain"):
                domain = self.account.domain_of(spec["domain"])
                if domain is None:
                    raise errors.wrong_credentials()
                domain_id = domain.id
            project = next(
                (p for p in self.account.projects_of(domain_id) if p.name == spec["name"]), None
            )
        # A user can scope only to projects of its own account.
        if project is None or project.domain_id != user.domain_id:
            raise errors.wrong_credentials()
        return project

    # --- tokens -----------------------------------------------------------------------------

    def issue(
        self, user: User, methods: list[str], project: Project | None, domain: Domain | None
    ) -> Token:
        now = self.clock.now_ms()
        token = Token(
            id=new_token(),
            user_id=user.id,
            methods=methods,
            issued_ms=now,
            expires_ms=now + TOKEN_LIFETIME_MS,
            project_id=project.id if project else None,
            domain_id=domain.id if domain else None,
        )
        with self._lock:
            self.tokens[token.id] = token
            self._new_tokens.append(token.id)
        return token

    # --- state ------------------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        with self._lock:
            return {
                "tokens": [asdict(t) for t in self.tokens.values()],
                "lockouts": self._export_lockouts(),
            }

    def _export_lockouts(self) -> dict[str, Any]:
        """Password lock-outs by user id, and the gateway's AK lock-outs by AK."""
        return {
            "failures": dict(self._failures),
            "locked_until": dict(self._locked_until),
            "ak_failures": dict(self._ak_failures),
            "ak_locked_until": dict(self._ak_locked_until),
        }

    def restore(self, data: dict[str, Any]) -> None:
        with self._lock:
            self.tokens = {t["id"]: Token(**t) for t in data["tokens"]}
            lockouts = data["lockouts"]
            self._failures = dict(lockouts["failures"])
            self._locked_until = dict(lockouts["locked_until"])
            self._ak_failures = dict(lockouts.get("ak_failures", {}))
            self._ak_locked_until = dict(lockouts.get("ak_locked_until", {}))
            self._new_tokens.clear()
            self._locks_changed = False

    def drain_changes(self) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """(tokens issued, the lock-out table if it changed) since the last call."""
        with self._lock:
            issued = [asdict(self.tokens[i]) for i in self._new_tokens if i in self.tokens]
            lockouts = self._export_lockouts() if self._locks_changed else None
            self._new_tokens.clear()
            self._locks_changed = False
            return issued, lockouts

    def lookup(self, token_id: str) -> Token | None:
        return self.tokens.get(token_id)

    def valid_token(self, token_id: str) -> Token | None:
        token = self.tokens.get(token_id)
        if token is None or token.expires_ms <= self.clock.now_ms():
            return None
        return token

    def token_body(self, token: Token, base_url: str, with_catalog: bool) -> dict[str, Any]:
        """The `{"token": ...}` answer; every key of the SDK's TokenResult, null where unset."""
        user = self.account.users[token.user_id]
        user_domain = self.account.domains[user.domain_id]
        project = self.account.projects.get(token.project_id or "")
        domain = self.account.domains.get(token.domain_id or "")
        body: dict[str, Any] = {
            "methods": list(token.methods),
            "expires_at": iso_ms(token.expires_ms),
            "issued_at": iso_ms(token.issued_ms),
            "catalog": self.catalog(base_url, project) if with_catalog else [],
            "domain": {"id": domain.id, "name": domain.name} if domain else None,
            "project": (
                {
                    "id": project.id,
                    "name": project.name,
                    "domain": {
                        "id": project.domain_id,
                        "name": self.account.domains[project.domain_id].name,
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

    @staticmethod
    def catalog(base_url: str, project: Project | None) -> list[dict[str, Any]]:
        """This emulator's own URL for `iam` (global) and `sms` (the token's region)."""
        region = project.name if project else "*"
        return [
            {
                "type": "iam",
                "id": _endpoint_id("iam"),
                "name": "iam",
                "endpoints": [
                    {
                        "url": f"{base_url}/v3",
                        "region": "*",
                        "region_id": "*",
                        "interface": "public",
                        "id": _endpoint_id("iam", "*"),
                    }
                ],
            },
            {
                "type": "sms",
                "id": _endpoint_id("sms"),
                "name": "sms",
                "endpoints": [
                    {
                        "url": base_url,
                        "region": region,
                        "region_id": region,
                        "interface": "public",
                        "id": _endpoint_id("sms", region),
                    }
                ],
            },
        ]

    def project_body(self, project: Project, base_url: str) -> dict[str, Any]:
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
