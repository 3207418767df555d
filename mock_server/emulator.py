"""One emulator's whole state: clock, account, tokens, tasks and faults. Hangs off its Flask app."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.enums import AuthMode, ClockMode
from mock_server.clock import Clock, make_clock
from mock_server.fixtures import FixtureSet, default_fixtures_dir, load_fixture_set
from mock_server.http_faults import HttpFaultBook
from mock_server.iam.models import Account, IamBackend
from mock_server.journal import Journal
from mock_server.persistence import StateFile
from mock_server.scenarios import (
    ScenarioLoad,
    check_scenario_names,
    load_scenario,
    load_startup_scenarios,
)
from mock_server.sms.backend import SmsBackend
from mock_server.sms.faults import FaultBook


@dataclass
class Config:
    """How an emulator is built; `create_app(Config(...))` makes as many as a test likes."""

    fixtures: list[Path] = field(default_factory=list)  # more folders, after the defaults
    default_fixtures: bool = True
    clock: str = ClockMode.REAL.value
    speed: float = 1.0
    durations: dict[str, float] = field(default_factory=dict)  # seconds per sub-task name
    scenarios: list[str] = field(default_factory=list)  # loaded at start and after every reset
    journal_size: int = 1000  # requests the journal keeps
    state_file: Path | None = None  # keep all state in this SQLite file
    admin_token: str | None = None  # when set, /_mock calls need X-Mock-Admin-Token
    auth: str = AuthMode.ANY.value  # what SMS calls accept: any, token, aksk or off

    def __post_init__(self) -> None:
        self.auth = AuthMode(self.auth)  # a bad mode fails here, not on the first request

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


class UnknownProject(LookupError):
    pass


class InvalidSnapshot(ValueError):
    """A snapshot that cannot be restored; the state is left as it was."""


SNAPSHOT_FORMAT = "sms-mock-snapshot/1"


class Emulator:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.fixtures: FixtureSet = load_fixture_set(config.fixture_folders())
        check_scenario_names(self, config.scenarios)  # an unknown name stops the start
        self.clock: Clock = make_clock(config.clock, config.speed)
        self.faults = FaultBook()
        self.http_faults = HttpFaultBook()
        self.journal = Journal(config.journal_size)
        self.iam = IamBackend(self.clock, self.fixtures.account)
        self.sms = self._sms_backend(self.faults)
        self.state_file = StateFile(config.state_file) if config.state_file else None
        self._save_lock = threading.Lock()
        self._saved_versions = (-1, -1)
        self.startup_scenarios: list[ScenarioLoad] = []  # what `Config.scenarios` made
        saved = self.state_file.load() if self.state_file else None
        if saved is not None:
            # An existing state file is the state: fixtures are not loaded again over it.
            self.restore(saved)
        else:
            self._load_tasks()
            self.startup_scenarios = load_startup_scenarios(self, config.scenarios)
            self._save_all()

    @property
    def account(self) -> Account:
        return self.iam.account

    def project_ref(self, ref: str | None) -> tuple[str, str]:
        """(id, name) of a project named by id or name; the default project for None."""
        account = self.iam.account
        project = account.project_by_id_or_name(ref or account.default_project_id or "")
        if project is None:
            raise UnknownProject(ref)
        return project.id, project.name

    def _load_tasks(self) -> None:
        for fixture in self.fixtures.tasks:
            project_id, project_name = self.project_ref(fixture.project or None)
            self.sms.put(project_id, project_name, fixture.document, fixture.durations)

    def load_scenario(self, name: str, project_ref: str | None = None) -> ScenarioLoad:
        """Load a named scenario into a project (by id or name; else its own, else the default)."""
        return load_scenario(self, name, project_ref)

    def reset(self) -> None:
        """Back to the loaded fixtures, the clock back to now: new backends, swapped in whole."""
        self.clock.reset()
        self.faults.clear()
        self.http_faults.clear()
        self.journal.clear()
        iam = IamBackend(self.clock, self.fixtures.account)
        sms = self._sms_backend(self.faults)
        self.iam, self.sms = iam, sms
        self._load_tasks()
        # The start-up scenarios again, under the ids they had: reset gives back the start state.
        self.startup_scenarios = load_startup_scenarios(
            self, self.config.scenarios, self.startup_scenarios
        )
        self._save_all()

    # --- the whole state ---------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything: clock, account, tasks, tokens, lock-outs and faults, JSON-ready."""
        iam = self.iam.export()
        return {
            "format": SNAPSHOT_FORMAT,
            "clock": self.clock.snapshot(),
            "account": self.iam.account.export(),
            "sms": self.sms.export(),
            "tokens": iam["tokens"],
            "lockouts": iam["lockouts"],
            "faults": self.faults.export(),
            "http_faults": self.http_faults.export(),
        }

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Replace the whole state with a snapshot's; InvalidSnapshot changes nothing."""
        if not isinstance(snapshot, dict) or snapshot.get("format") != SNAPSHOT_FORMAT:
            raise InvalidSnapshot(f"not a {SNAPSHOT_FORMAT} document")
        try:
            # Everything is built aside first, then swapped in whole.
            iam = IamBackend(self.clock, Account.restore(snapshot["account"]))
            iam.restore({"tokens": snapshot["tokens"], "lockouts": snapshot["lockouts"]})
            faults = FaultBook()
            faults.restore(snapshot["faults"])
            http_faults = HttpFaultBook()
            http_faults.restore(snapshot.get("http_faults", []))
            sms = self._sms_backend(faults)
            sms.restore(snapshot["sms"])
            now_ms = int(snapshot["clock"]["now_ms"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidSnapshot(f"{type(exc).__name__}: {exc}") from exc
        self.clock.restore({"now_ms": now_ms})
        self.faults, self.http_faults, self.iam, self.sms = faults, http_faults, iam, sms
        self._save_all()

    def _sms_backend(self, faults: FaultBook) -> SmsBackend:
        sms = SmsBackend(self.clock, faults, self.config.durations)
        sms.track_changes = self.config.state_file is not None
        return sms

    def _save_all(self) -> None:
        if self.state_file is not None:
            self.state_file.save_all(self.snapshot())

    def save(self) -> None:
        """Save what changed since the last save (after every request, with a state file)."""
        state_file = self.state_file
        if state_file is None:
            return
        with self._save_lock:
            tasks, deleted, last_int_id = self.sms.drain_changes()
            tokens, lockouts = self.iam.drain_changes()
            meta: dict[str, Any] = {"clock": self.clock.snapshot(), "last_int_id": last_int_id}
            if lockouts is not None:
                meta["lockouts"] = lockouts
            if self.faults.version != self._saved_versions[0]:
                meta["faults"] = self.faults.export()
            if self.http_faults.version != self._saved_versions[1]:
                meta["http_faults"] = self.http_faults.export()
            self._saved_versions = (self.faults.version, self.http_faults.version)
            state_file.save_changes(meta=meta, tasks=tasks, deleted=deleted, tokens=tokens)
