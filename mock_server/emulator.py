"""One emulator's whole state: clock, account, tokens, tasks and faults. Hangs off its Flask app."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from typing import Any

from sms_mock.contracts.snapshot import SNAPSHOT_FORMATS
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.control.fixtures import FixtureSet, load_fixture_set
from sms_mock.mock_server.control.scenarios import (
    Scenario,
    ScenarioLoad,
    UnknownScenario,
    apply_scenario,
)
from sms_mock.mock_server.control.start_state import PROBE_SHIFT_MS, StartState
from sms_mock.mock_server.control.written_dates import (
    move_source_dates,
    move_task_dates,
    on_clock,
)
from sms_mock.mock_server.core.clock import Clock, ManualClock, make_clock
from sms_mock.mock_server.core.state_file import StateFile
from sms_mock.mock_server.gateway.http_faults import HttpFaultBook
from sms_mock.mock_server.gateway.journal import Journal
from sms_mock.mock_server.iam.backend import IamBackend
from sms_mock.mock_server.iam.models import Account
from sms_mock.mock_server.sms.backend import SmsBackend
from sms_mock.mock_server.sms.faults import TaskFaultBook
from sms_mock.mock_server.snapshot_check import InvalidSnapshot, check_snapshot


class UnknownProject(LookupError):
    pass


class SaveFailed(Exception):
    """A change could not be written to the state file, and was undone in memory."""


# The contract's formats, oldest first: this version writes the last and reads the older ones,
# migrated on restore (/1 had no sources, templates or migprojects: each project then gets its
# default migproject).
SNAPSHOT_FORMAT = SNAPSHOT_FORMATS[-1]
OLDER_FORMATS = tuple(SNAPSHOT_FORMATS[:-1])


def _current_format(snapshot: Any) -> dict[str, Any]:
    """The snapshot in this version's format; InvalidSnapshot naming a format it cannot read."""
    if not isinstance(snapshot, dict):
        raise InvalidSnapshot(f"not a {SNAPSHOT_FORMAT} document")
    given = snapshot.get("format")
    if given == SNAPSHOT_FORMAT:
        return snapshot
    if given in OLDER_FORMATS:
        sms = snapshot.get("sms")
        if isinstance(sms, dict):
            snapshot = {**snapshot, "sms": {**sms, "resources": sms.get("resources", [])}}
        return {**snapshot, "format": SNAPSHOT_FORMAT}
    raise InvalidSnapshot(
        f"format {given!r} is not one this version reads ({SNAPSHOT_FORMAT} or "
        f"{', '.join(OLDER_FORMATS)})"
    )


class Emulator:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.fixtures: FixtureSet = load_fixture_set(config.fixture_folders())
        for name in config.scenarios:  # an unknown name stops the start
            self.scenario(name)
        self.clock: Clock = make_clock(config.clock, config.speed)
        tracked = config.state_file is not None
        self.faults = TaskFaultBook(tracked)
        self.http_faults = HttpFaultBook(tracked)
        self.journal = Journal(config.journal_size)
        self.iam = self._iam_backend(self.fixtures.account)
        self.sms = self._sms_backend(self.faults)
        self.state_file = StateFile(config.state_file) if config.state_file else None
        self._save_lock = threading.Lock()
        # What the state file last took of what is not a row: nothing else changed, and
        # neither of these, means a request wrote nothing.
        self._saved_clock_base: tuple[int, ...] = ()
        self._saved_last_int_id = -1
        # Moves on every save that failed and was undone: a request in flight meanwhile may
        # have had its change undone too, so it is answered the same failure.
        self.save_failures = 0
        self.startup_scenarios: list[ScenarioLoad] = []  # what `Config.scenarios` made
        # What a reset gives back, kept from the second reset on (`_start_state`); None before,
        # and when the state cannot be kept so (each reset then builds it afresh).
        self._start: StartState | None = None
        self._resets = 0
        # The ports it is served on, set by the server once bound: "sms" (the main one) and
        # "iam" (the IAM listener). Empty when no server runs it (Flask's test client).
        self.listen_ports: dict[str, int] = {}
        saved = self.state_file.load() if self.state_file else None
        if saved is not None and saved.get("format") == SNAPSHOT_FORMAT:
            # An existing state file is the state: fixtures are not loaded again over it, and
            # nothing is written until something changes (a start on a full disk works).
            self._swap_in(saved)
            self._mark_saved()
        elif saved is not None:
            self.restore(saved)  # an older format: written back whole in this one
        else:
            self._load_tasks(self.sms, self.clock)
            self.startup_scenarios = self._load_startup_scenarios(self.sms, self.clock)
            self._save_all()

    def close(self) -> None:
        """Save the clock's position and let the state file go (its lock too), so that another
        emulator may open it and go on at the time this one stopped."""
        if self.state_file is None:
            return
        with self._save_lock, contextlib.suppress(sqlite3.Error):  # a full disk: as last saved
            self.state_file.save_meta({"clock": self.clock.snapshot()})
        self.state_file.close()

    @property
    def account(self) -> Account:
        return self.iam.account

    def project_ref(self, ref: str | None) -> tuple[str, str]:
        """(id, name) of a project named by id or name; the default project for None (an empty
        name is no project: `?project=` with nothing after it is a mistake, not the default)."""
        account = self.iam.account
        wanted = account.default_project_id or "" if ref is None else ref
        project = account.project_by_id_or_name(wanted) if wanted else None
        if project is None:
            raise UnknownProject(ref)
        return project.id, project.name

    def _load_tasks(self, sms: SmsBackend, clock: Clock) -> None:
        """The fixtures' sources, templates and tasks, their dates moved onto the clock as a
        scenario's are (at start and at every reset, whatever the clock then says)."""
        now = clock.now_ms()
        for project in self.iam.account.projects.values():
            sms.ensure_default_migproject((project.id, project.name))
        for fixture in self.fixtures.sources:
            project_id, _ = self.project_ref(fixture.project or None)
            sms.put_source(
                project_id, on_clock(fixture.document, fixture.written_ms, now, move_source_dates)
            )
        for fixture in self.fixtures.templates:
            sms.put_template(self.project_ref(fixture.project or None), fixture.document)
        for fixture in self.fixtures.tasks:
            project_id, project_name = self.project_ref(fixture.project or None)
            document = on_clock(fixture.document, fixture.written_ms, now, move_task_dates)
            sms.put(project_id, project_name, document, fixture.durations)

    def scenario(self, name: str) -> Scenario:
        """The loaded scenario of that name; UnknownScenario otherwise."""
        scenario = self.fixtures.scenarios.get(name)
        if scenario is None:
            known = ", ".join(sorted(self.fixtures.scenarios)) or "none"
            raise UnknownScenario(f"no scenario {name!r} (known: {known})")
        return scenario

    def load_scenario(
        self,
        name: str,
        project_ref: str | None = None,
        before: ScenarioLoad | None = None,
        into: tuple[SmsBackend, Clock] | None = None,
    ) -> ScenarioLoad:
        """Load a named scenario into a project (by id or name; else its own, else the default),
        in this emulator or `into` a backend and clock of their own.

        Raises UnknownScenario or UnknownProject, having changed nothing.
        """
        scenario = self.scenario(name)
        project = self.project_ref(project_ref if project_ref is not None else scenario.project)
        ids, resource_ids = (before.ids, before.resource_ids) if before else (None, None)
        sms, clock = into or (self.sms, self.clock)
        return apply_scenario(scenario, project, sms, clock, ids, resource_ids)

    def _load_startup_scenarios(
        self, sms: SmsBackend, clock: Clock, before: list[ScenarioLoad] | None = None
    ) -> list[ScenarioLoad]:
        """`Config.scenarios` in order; after a reset, under the ids they had before."""
        loads = []
        for index, name in enumerate(self.config.scenarios):
            earlier = before[index] if before and index < len(before) else None
            loads.append(self.load_scenario(name, None, earlier, (sms, clock)))
        return loads

    def reset(self) -> None:
        """Back to the loaded fixtures, the clock back to now: new backends, swapped in whole.

        From the second reset on, the state it gives back is built once and kept
        (`StartState`): each reset restores it with its dates moved onto the clock, as a build
        would have them.
        """
        self.clock.reset()
        self.http_faults.clear()
        self.journal.clear()
        self.iam = self._iam_backend(self.fixtures.account)  # first: a build finds projects in it
        start = self._start_state()
        if start is None:
            self.faults.clear()
            self.sms = self._sms_backend(self.faults)
            self._load_tasks(self.sms, self.clock)
            # The start-up scenarios again, under the ids they had: the start state again.
            self.startup_scenarios = self._load_startup_scenarios(
                self.sms, self.clock, self.startup_scenarios
            )
        else:
            now = self.clock.now_ms()  # once: a real clock moves on while the state is built
            state = start.at(now)
            faults = TaskFaultBook(self.config.state_file is not None)
            faults.restore(state["faults"])
            sms = self._sms_backend(faults)
            sms.restore(state["sms"], pack=False)  # the fixtures' few tasks: packing is most of it
            self.faults, self.sms = faults, sms
            if state["now_ms"] != now:  # a start-up scenario moved the clock: move it as much
                self.clock.advance((state["now_ms"] - now) / 1000)
        self._save_all()

    def _start_state(self) -> StartState | None:
        """The state a reset gives back, kept; None when this reset builds it afresh.

        It is built at the second reset, on a clock standing at the emulator's now (and once
        more a day later, to find its dates), which costs a few builds: a server reset once (a
        QA session, a suite's first test) pays no more than one. None as well when the state
        cannot be kept so: every reset then builds it afresh.
        """
        self._resets += 1
        if self._resets == 2:
            now = self.clock.now_ms()
            first, loads = self._build_aside(now, self.startup_scenarios)
            probe, _ = self._build_aside(now + PROBE_SHIFT_MS, loads)
            self._start = StartState.of(first, probe, now)
            self.startup_scenarios = loads
        return self._start

    def _build_aside(
        self, now_ms: int, before: list[ScenarioLoad]
    ) -> tuple[dict[str, Any], list[ScenarioLoad]]:
        """The fixtures and start-up scenarios loaded into backends of their own, on a clock
        standing at `now_ms`: their SMS state, task faults and clock; and the scenarios' loads."""
        clock = ManualClock()
        clock.restore({"now_ms": now_ms})
        faults = TaskFaultBook()
        sms = SmsBackend(clock, faults, self.config.durations)
        self._load_tasks(sms, clock)
        loads = self._load_startup_scenarios(sms, clock, before)
        state = {"sms": sms.export(), "faults": faults.export(), "now_ms": clock.now_ms()}
        return state, loads

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
            "credentials": iam["credentials"],
            "lockouts": iam["lockouts"],
            "faults": self.faults.export(),
            "http_faults": self.http_faults.export(),
        }

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Replace the whole state with a snapshot's; InvalidSnapshot changes nothing.

        A snapshot from outside is checked whole, its documents too, against the contracts
        (`contracts/snapshot.py`): what it holds is what a client could have made.
        """
        self._swap_in(snapshot, documents=True)
        self._save_all()

    def _swap_in(self, snapshot: dict[str, Any], documents: bool = False) -> None:
        """Build the state of a snapshot aside, then swap it in whole. A state file's is
        checked too (it may have been edited), its documents not: they were when written."""
        snapshot = _current_format(snapshot)
        check_snapshot(snapshot, documents=documents)
        try:
            # Everything is built aside first, then swapped in whole.
            iam = self._iam_backend(Account.restore(snapshot["account"]))
            iam.restore(
                {
                    "tokens": snapshot["tokens"],
                    "credentials": snapshot.get("credentials", []),
                    "lockouts": snapshot["lockouts"],
                }
            )
            tracked = self.config.state_file is not None
            faults = TaskFaultBook(tracked)
            faults.restore(snapshot["faults"])
            http_faults = HttpFaultBook(tracked)
            http_faults.restore(snapshot.get("http_faults", []))
            sms = self._sms_backend(faults)
            sms.restore(snapshot["sms"])
            for project in iam.account.projects.values():
                sms.ensure_default_migproject((project.id, project.name))
            now_ms = int(snapshot["clock"]["now_ms"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidSnapshot(f"{type(exc).__name__}: {exc}") from exc
        self.clock.restore({"now_ms": now_ms})
        self.faults, self.http_faults, self.iam, self.sms = faults, http_faults, iam, sms

    def _iam_backend(self, account: Account) -> IamBackend:
        iam = IamBackend(self.clock, account)
        iam.track_changes = self.config.state_file is not None
        return iam

    def _sms_backend(self, faults: TaskFaultBook) -> SmsBackend:
        sms = SmsBackend(self.clock, faults, self.config.durations)
        sms.track_changes = self.config.state_file is not None
        return sms

    def _save_all(self) -> None:
        """Write the whole state (start, reset, restore); a failure undoes it in memory."""
        if self.state_file is None:
            return
        with self._save_lock:
            # What is pending now is in the whole state written next. Drained before it is
            # taken, not after: a change made meanwhile stays pending for the next save.
            self._mark_saved()
            try:
                self.state_file.save_all(self.snapshot())
            except sqlite3.Error as exc:
                self._undo_unsaved(exc)

    def _mark_saved(self) -> None:
        """Nothing pending: what is in memory is what the file holds (or is about to)."""
        self._saved_clock_base = self.clock.base()
        self._saved_last_int_id = self.sms.drain_changes().last_int_id
        self.iam.drain_changes()
        self.faults.drain_changes()
        self.http_faults.drain_changes()

    def save(self) -> None:
        """Save what changed since the last save (after every request, with a state file).

        A request that changed nothing writes nothing. A change that cannot be saved (a full
        disk) is undone in memory, from the file, and SaveFailed raised: memory and disk never
        disagree about an acknowledged write.
        """
        state_file = self.state_file
        if state_file is None:
            return
        with self._save_lock:
            changes = self.sms.drain_changes()
            iam = self.iam.drain_changes()
            faults = {"task": self.faults.drain_changes(), "http": self.http_faults.drain_changes()}
            clock_base = self.clock.base()
            moved = (changes.last_int_id, clock_base) != (
                self._saved_last_int_id,
                self._saved_clock_base,
            )
            if not (changes or iam or any(faults.values()) or moved):
                return
            meta: dict[str, Any] = {
                "clock": self.clock.snapshot(),
                "last_int_id": changes.last_int_id,
            }
            if iam.ak_lockouts is not None:
                meta["lockouts"] = iam.ak_lockouts
            try:
                state_file.save_changes(meta=meta, changes=changes, iam=iam, faults=faults)
            except sqlite3.Error as exc:
                self._undo_unsaved(exc)
            self._saved_clock_base = clock_base
            self._saved_last_int_id = changes.last_int_id

    def _undo_unsaved(self, cause: sqlite3.Error) -> None:
        """Memory back to what the file holds (its last committed state); raises SaveFailed."""
        self.save_failures += 1
        assert self.state_file is not None
        saved = self.state_file.load()
        # The file's clock is that of its last write: a real clock has run on since, and
        # must not go back unless the change undone moved it (an advance).
        now, moved = self.clock.now_ms(), self.clock.base() != self._saved_clock_base
        if saved is not None:
            self._swap_in(saved)
            if not moved and self.clock.now_ms() < now:
                self.clock.restore({"now_ms": now})
        self._mark_saved()
        raise SaveFailed(str(cause)) from cause
