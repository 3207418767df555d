"""IAM's state on the clock: tokens and temporary credentials issued, password and AK lock-outs;
thread-safe."""

from __future__ import annotations

import hmac
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from sms_mock.mock_server.core.clock import Clock
from sms_mock.mock_server.core.ids import (
    new_access_key,
    new_secret_key,
    new_security_token,
    new_token,
)
from sms_mock.mock_server.iam import errors
from sms_mock.mock_server.iam.expiring import ExpiringBook
from sms_mock.mock_server.iam.lockouts import LockoutChanges, PasswordLockouts
from sms_mock.mock_server.iam.models import (
    Account,
    Domain,
    Project,
    TemporaryCredential,
    Token,
    User,
)
from sms_mock.mock_server.iam.responses import TokenAnswers
from sms_mock.mock_server.iam.token_book import TokenBook

TOKEN_LIFETIME_MS = 24 * 3600 * 1000
# Expired tokens and credentials are dropped a day after they expire: until then the gateway
# still answers "expired" for them, and the books hold at most two days' issues.
KEEP_EXPIRED_MS = 24 * 3600 * 1000
# Temporary credentials live 15 minutes to 24 hours; 15 minutes when the request says nothing.
# The API gateway locks an AK after repeated bad signatures: 5 in a row, for 5 minutes.
AK_LOCK_AFTER_FAILURES = 5
AK_LOCK_MS = 5 * 60 * 1000


class IamBackend:
    """Tokens and password lock-outs of one emulator, on its clock; thread-safe."""

    def __init__(self, clock: Clock, account: Account) -> None:
        self.clock = clock
        self.account = account
        self.answers = TokenAnswers(account)  # token answers' parts, kept
        self._lock = threading.Lock()
        self.tokens = TokenBook(KEEP_EXPIRED_MS)
        self.credentials: ExpiringBook[TemporaryCredential] = ExpiringBook(KEEP_EXPIRED_MS)
        # Password lock-outs by user id, or by "?domain/name" for a name that is no user.
        self.lockouts = PasswordLockouts()
        self._ak_failures: dict[str, int] = {}
        self._ak_locked_until: dict[str, int] = {}
        # What the state file has not seen yet: issued, and dropped, since the last drain.
        # Kept only for a state file (the emulator sets it when it has one).
        self._track_changes = False
        self._new_tokens: list[str] = []
        self._dropped_tokens: list[str] = []
        self._new_credentials: list[str] = []
        self._dropped_credentials: list[str] = []
        self._ak_locks_changed = False

    @property
    def track_changes(self) -> bool:
        return self._track_changes

    @track_changes.setter
    def track_changes(self, value: bool) -> None:
        self._track_changes = value
        self.lockouts.track_changes = value

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
        """The user of a password identity; wrong passwords count towards a lock-out.

        A name that is no user is counted, locked out, kept and saved alike (one table,
        `lockouts`), and its password compared all the same, so that neither the answers nor
        their timing tell which users exist.
        """
        user = self._find_user(spec)
        given = spec["password"].encode()
        if user is None:
            key = self._unknown_key(spec)
            hmac.compare_digest(given, given)
            matches = False
        else:
            key = user.id
            matches = hmac.compare_digest(given, user.password.encode())
        now = self.clock.now_ms()
        with self._lock:
            if self.lockouts.is_locked(key, now):
                raise errors.account_locked()
            if not matches:
                self.lockouts.failed(key, now)
                raise errors.wrong_credentials()
            self.lockouts.passed(key)
        assert user is not None  # a name that is no user never matches
        return user

    def _unknown_key(self, spec: dict[str, Any]) -> str:
        """The lock-out key of a name (or id) that is no user. A domain of the account is
        keyed by its id, named either way, as a user's lock holds by name and by id."""
        if spec.get("id"):
            return f"?id/{spec['id']}"
        domain_spec = spec.get("domain") or {}
        domain = self.account.domain_of(domain_spec)
        domain_key = domain.id if domain else domain_spec.get("id") or domain_spec.get("name", "")
        return f"?{domain_key}/{spec.get('name', '')}"

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
            failures = self._ak_failures.pop(ak, 0) + 1
            if failures >= AK_LOCK_AFTER_FAILURES:
                self._ak_locked_until[ak] = now + AK_LOCK_MS
            else:
                self._ak_failures[ak] = failures
            self._ak_locks_changed = True

    def signature_passed(self, ak: str) -> None:
        if self._ak_failures.get(ak):
            with self._lock:
                self._ak_failures.pop(ak, None)
                self._ak_locks_changed = True

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
        self,
        user: User,
        methods: list[str],
        project: Project | None,
        domain: Domain | None,
        *,
        expires_ms: int | None = None,
    ) -> Token:
        """A new token, for 24 hours or until `expires_ms` (that of the token it came from)."""
        now = self.clock.now_ms()
        lifetime_end = now + TOKEN_LIFETIME_MS
        token = Token(
            id=new_token(),
            user_id=user.id,
            methods=methods,
            issued_ms=now,
            expires_ms=lifetime_end if expires_ms is None else min(expires_ms, lifetime_end),
            project_id=project.id if project else None,
            domain_id=domain.id if domain else None,
        )
        with self._lock:
            dropped = self.tokens.add(token, now)
            if self.track_changes:  # only a state file drains these: without one they'd grow
                self._dropped_tokens.extend(dropped)
                self._new_tokens.append(token.id)
        return token

    # --- temporary credentials ------------------------------------------------------------------

    def issue_credential(
        self, user: User, duration_s: int, not_after_ms: int | None = None
    ) -> TemporaryCredential:
        """A temporary AK/SK and security token for `duration_s`, never outliving the token or
        credential it was asked with (`not_after_ms`; None for a permanent AK): a chain of
        them cannot live forever."""
        now = self.clock.now_ms()
        expires_ms = now + duration_s * 1000
        if not_after_ms is not None:
            expires_ms = min(expires_ms, not_after_ms)
        credential = TemporaryCredential(
            access=new_access_key(),
            secret=new_secret_key(),
            security_token=new_security_token(),
            user_id=user.id,
            issued_ms=now,
            expires_ms=expires_ms,
        )
        with self._lock:
            dropped = [
                access for access, _ in self.credentials.add(credential.access, credential, now)
            ]
            for access in dropped:  # a dropped AK's signature failures go with it
                if self._ak_failures.pop(access, None) is not None:
                    self._ak_locks_changed = True
                if self._ak_locked_until.pop(access, None) is not None:
                    self._ak_locks_changed = True
            if self.track_changes:
                self._dropped_credentials.extend(dropped)
                self._new_credentials.append(credential.access)
        return credential

    def credential(self, access: str) -> TemporaryCredential | None:
        """The temporary credential of an AK, expired or not (the gateway says which)."""
        return self.credentials.get(access)

    # --- state ------------------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        with self._lock:
            return {
                "tokens": [asdict(t) for t in self.tokens],
                "credentials": [asdict(c) for c in self.credentials],
                "lockouts": {**self.lockouts.export(), **self._export_ak_lockouts()},
            }

    def _export_ak_lockouts(self) -> dict[str, dict[str, int]]:
        """The gateway's AK lock-outs by AK."""
        return {
            "ak_failures": dict(self._ak_failures),
            "ak_locked_until": dict(self._ak_locked_until),
        }

    def restore(self, data: dict[str, Any]) -> None:
        now = self.clock.now_ms()
        with self._lock:
            self.tokens.replace_all((Token(**t) for t in data["tokens"]), now)
            self.credentials.replace_all(
                ((c["access"], TemporaryCredential(**c)) for c in data.get("credentials", [])),
                now,
            )
            lockouts = data["lockouts"]
            self.lockouts.restore(lockouts["failures"], lockouts["locked_until"])
            self._ak_failures = dict(lockouts.get("ak_failures", {}))
            self._ak_locked_until = dict(lockouts.get("ak_locked_until", {}))
            for pending in self._pending():
                pending.clear()
            self._ak_locks_changed = False

    def _pending(self) -> tuple[list[str], ...]:
        return (
            self._new_tokens,
            self._dropped_tokens,
            self._new_credentials,
            self._dropped_credentials,
        )

    def drain_changes(self) -> IamChanges:
        """What changed since the last call, for the state file."""
        with self._lock:
            changes = IamChanges(
                tokens=[asdict(t) for i in self._new_tokens if (t := self.tokens.get(i))],
                dropped_tokens=list(self._dropped_tokens),
                credentials=[
                    asdict(c) for a in self._new_credentials if (c := self.credentials.get(a))
                ],
                dropped_credentials=list(self._dropped_credentials),
                # A row a name whose password lock-out changed, a user's or not alike.
                password_lockouts=self.lockouts.drain_changes(),
                ak_lockouts=self._export_ak_lockouts() if self._ak_locks_changed else None,
            )
            for pending in self._pending():
                pending.clear()
            self._ak_locks_changed = False
            return changes

    def lookup(self, token_id: str) -> Token | None:
        return self.tokens.get(token_id)

    def valid_token(self, token_id: str) -> Token | None:
        token = self.tokens.get(token_id)
        if token is None or token.expires_ms <= self.clock.now_ms():
            return None
        return token


@dataclass
class IamChanges:
    """IAM's changes since the state file's last save: rows to write and keys to delete."""

    tokens: list[dict[str, Any]] = field(default_factory=list)
    dropped_tokens: list[str] = field(default_factory=list)
    credentials: list[dict[str, Any]] = field(default_factory=list)
    dropped_credentials: list[str] = field(default_factory=list)
    password_lockouts: LockoutChanges = field(default_factory=LockoutChanges)
    # The AK lock-outs whole (the meta table's `lockouts`) when they changed, else None.
    ak_lockouts: dict[str, Any] | None = None

    def __bool__(self) -> bool:
        return bool(
            self.tokens
            or self.dropped_tokens
            or self.credentials
            or self.dropped_credentials
            or self.password_lockouts
            or self.ak_lockouts is not None
        )
