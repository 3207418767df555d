"""IAM resources: the account (domains, projects, users, access keys) and the tokens issued."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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
    # An administrator of its account (the account's owner on Huawei Cloud): it may read
    # other users' projects. The default user is one; README, "The default account".
    admin: bool = False


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

    def users_of(self, domain_id: str) -> list[User]:
        return [u for u in self.users.values() if u.domain_id == domain_id]

    def home_project(self, domain_id: str) -> Project | None:
        """A domain's first project: the default project when it is the domain's."""
        default = self.projects.get(self.default_project_id or "")
        if default is not None and default.domain_id == domain_id:
            return default
        return next(iter(self.projects_of(domain_id)), None)


@dataclass
class TemporaryCredential:
    """A temporary AK/SK and its security token (`POST /v3.0/OS-CREDENTIAL/securitytokens`)."""

    access: str
    secret: str
    security_token: str
    user_id: str
    issued_ms: int
    expires_ms: int


@dataclass
class Token:
    id: str
    user_id: str
    methods: list[str]
    issued_ms: int
    expires_ms: int
    project_id: str | None = None
    domain_id: str | None = None  # set for a domain-scoped token
