"""One emulator's whole state: clock, account, tokens, tasks and faults. Hangs off its Flask app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.enums import AuthMode, ClockMode
from mock_server.clock import Clock, make_clock
from mock_server.fixtures import FixtureSet, default_fixtures_dir, load_fixture_set
from mock_server.iam.models import IamBackend
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


class Emulator:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.fixtures: FixtureSet = load_fixture_set(config.fixture_folders())
        check_scenario_names(self, config.scenarios)  # an unknown name stops the start
        self.clock: Clock = make_clock(config.clock, config.speed)
        self.faults = FaultBook()
        self.iam = IamBackend(self.clock, self.fixtures.account)
        self.sms = SmsBackend(self.clock, self.faults, config.durations)
        self._load_tasks()
        self.startup_scenarios: list[ScenarioLoad] = load_startup_scenarios(
            self, config.scenarios
        )

    @property
    def account(self):
        return self.fixtures.account

    def project_ref(self, ref: str | None) -> tuple[str, str]:
        """(id, name) of a project named by id or name; the default project for None."""
        account = self.fixtures.account
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
        iam = IamBackend(self.clock, self.fixtures.account)
        sms = SmsBackend(self.clock, self.faults, self.config.durations)
        self.iam, self.sms = iam, sms
        self._load_tasks()
        # The start-up scenarios again, under the ids they had: reset gives back the start state.
        self.startup_scenarios = load_startup_scenarios(
            self, self.config.scenarios, self.startup_scenarios
        )
