"""`Config`: how one emulator is built. `create_app(Config(...))` makes as many as a test likes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sms_mock
from sms_mock.contracts.control import SPEED_RANGE
from sms_mock.contracts.enums import AuthMode, ClockMode


def default_fixtures_dir() -> Path:
    """The default account and scenarios: `sms_mock/fixtures` in the wheel, or the repository's
    own `fixtures/` in a checkout (both are on `sms_mock.__path__`)."""
    for base in sms_mock.__path__:
        folder = Path(base) / "fixtures"
        if (folder / "account.json").is_file():
            return folder
    raise FileNotFoundError("the default fixtures folder is missing from the sms_mock package")


@dataclass
class Config:
    """How an emulator is built; every field has the default `sms-mock serve` uses."""

    fixtures: list[Path] = field(default_factory=list)  # more folders, after the defaults
    default_fixtures: bool = True
    clock: str = ClockMode.REAL.value
    speed: float = 1.0
    durations: dict[str, float] = field(default_factory=dict)  # seconds per sub-task name
    scenarios: list[str] = field(default_factory=list)  # loaded at start and after every reset
    journal_size: int = 1000  # requests the journal keeps
    state_file: Path | None = None  # keep all state in this SQLite file
    admin_token: str | None = None  # when set, /_mock calls need X-Mock-Admin-Token
    # The address served on, and the host names besides loopback's and any IP address that
    # the control plane, the dashboard and /openapi.json answer to (`--allowed-host`).
    host: str = "127.0.0.1"
    allowed_hosts: list[str] = field(default_factory=list)
    auth: str = AuthMode.ANY.value  # what SMS calls accept: any, token, aksk or off
    log_requests: bool = False  # one plain line a request on standard output

    def __post_init__(self) -> None:
        self.auth = AuthMode(self.auth)  # a bad mode fails here, not on the first request
        # Finite and in the range POST /_mock/clock/speed takes: beyond it no snapshot of the
        # emulator would load again (and NaN or infinity stop the clock's arithmetic).
        if not SPEED_RANGE.min <= self.speed <= SPEED_RANGE.max:
            raise ValueError(
                f"--speed must be from {SPEED_RANGE.min:g} to {SPEED_RANGE.max:g}, not {self.speed}"
            )

    @classmethod
    def from_value(cls, value: Config | dict[str, Any] | None) -> Config:
        if value is None:
            return cls()
        if isinstance(value, Config):
            return value
        return cls(**value)

    def fixture_folders(self) -> list[Path]:
        folders = [default_fixtures_dir()] if self.default_fixtures else []
        return folders + [Path(p) for p in self.fixtures]
