"""What the steps of a conformance run share: its options, and the context they act in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sms_mock.conformance.caller import Answer, Caller
from sms_mock.conformance.report import Report
from sms_mock.credentials import Credentials

# With no credentials at all, the emulator's default account (README, "The default account").
DEFAULT_ACCOUNT = Credentials(
    username="mock-user", password="mock-password", domain="mock-domain", project="cn-north-4"
)


@dataclass(frozen=True)
class Options:
    url: str
    iam_url: str | None = None
    read_only: bool = False
    project: str | None = None  # overrides the credentials' project
    credentials: Credentials = DEFAULT_ACCOUNT
    admin_token: str | None = None  # the emulator's control plane, when it asks for one
    timeout: float = 20.0
    # How long a wait for a task's state may poll without a control plane to move the clock.
    wait_seconds: float = 30.0
    shows_per_operation: int = 3


class UsageError(ValueError):
    """Options that cannot make a run: the message says which and why."""


@dataclass
class Context:
    """What the steps of a run share: the caller, who it is, and the ids it found."""

    options: Options
    caller: Caller
    report: Report
    project: str
    project_id: str | None = None
    token: str | None = None
    user_id: str | None = None
    # path parameter -> values that name something that exists, best first
    ids: dict[str, list[str]] = field(default_factory=dict)
    origins: dict[tuple[str, str], str] = field(default_factory=dict)  # (parameter, id) -> whence
    answers: dict[str, Any] = field(default_factory=dict)  # a list operation's last 2xx body

    @property
    def region(self) -> str:
        """Huawei Cloud's project names are their region's (`cn-north-4`, `cn-north-4_sub`)."""
        return self.project.split("_", 1)[0]

    def found(self, parameter: str, *values: Any, origin: str) -> None:
        """Ids that name something for a path parameter; `origin` says where they came from
        (the report's purpose of a request that uses one)."""
        known = self.ids.setdefault(parameter, [])
        for value in values:
            if isinstance(value, str) and value and value not in known:
                known.append(value)
                self.origins[parameter, value] = origin

    def call(self, operation_id: str, path: dict[str, str] | None = None, **kwargs: Any) -> Answer:
        return self.caller.call(operation_id, path, **kwargs)
