"""IAM's state on the clock: tokens issued, password and AK lock-outs; thread-safe."""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import Any

from sms_mock.mock_server.core.clock import Clock
from sms_mock.mock_server.core.ids import new_token
from sms_mock.mock_server.iam import errors
from sms_mock.mock_server.iam.models import Account, Domain, Project, Token, User

TOKEN_LIFETIME_MS = 24 * 3600 * 1000
LOCK_AFTER_FAILURES = 5
LOCK_MS = 15 * 60 * 1000
# The API gateway locks an AK after repeated bad signatures: 5 in a row, for 5 minutes.
AK_LOCK_AFTER_FAILURES = 5
AK_LOCK_MS = 5 * 60 * 1000


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
