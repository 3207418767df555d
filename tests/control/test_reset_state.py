"""A reset gives back exactly what a fresh start has: every resource, the clock, the faults.

The state a reset restores is built once and kept (`control/start_state.py`), its dates moved
onto the clock at each reset. Here a server that was used and reset is held to a server just
started with the same settings, over HTTP: their snapshots agree but for the dates on the clock
(moved by exactly the time between the two) and the ids made afresh at each build (matched one
to one); a fixture file written without a clock keeps its dates as written; and the lifecycle
carries on alike from both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sms_mock.client import SmsClient
from sms_mock.control import ControlPlane
from sms_mock.mock_server import Config
from sms_mock.mock_server.core.clock import wall_ms
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import ACCOUNT, password_body

MADE_ID = re.compile(r"[0-9a-f]{32}")
SEED = Path(__file__).resolve().parents[2] / "fixtures" / "tasks" / "seed-example.json"
SCENARIO_FILES = SEED.parents[1] / "scenarios"
# Start-up scenarios with faults (fault-at-migrate-40), a source and a template of their own
# (from-template), a task running on the clock (running-replicate), and one that moves the
# clock (`advanced`, written by `settings`).
SCENARIOS = ["fault-at-migrate-40", "from-template", "running-replicate", "advanced"]
ADVANCE_S = 600


def differences(fresh: Any, reset: Any, shift: int) -> list[str]:
    """Where `reset` is not `fresh` with its dates on the clock moved by `shift`: a number
    may differ by exactly `shift`, and an id made afresh may be another, one for one."""
    found: list[str] = []
    ids: dict[str, str] = {}

    def walk(a: Any, b: Any, where: str) -> None:
        if type(a) is not type(b):
            found.append(f"{where}: {a!r} / {b!r}")
        elif isinstance(a, dict):
            if a.keys() != b.keys():
                found.append(f"{where}: keys {sorted(a.keys() ^ b.keys())}")
            for key in sorted(a.keys() & b.keys()):
                walk(a[key], b[key], f"{where}.{key}")
        elif isinstance(a, list):
            if len(a) != len(b):
                found.append(f"{where}: {len(a)} items / {len(b)}")
            for index, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(x, y, f"{where}[{index}]")
        elif isinstance(a, str) and MADE_ID.fullmatch(a) and MADE_ID.fullmatch(b):
            if ids.setdefault(a, b) != b or list(ids.values()).count(b) > 1:
                found.append(f"{where}: id {a} / {b} matched to another")
        elif a == b or (isinstance(a, int) and not isinstance(a, bool) and b - a == shift):
            return
        else:
            found.append(f"{where}: {a!r} / {b!r}")

    walk(fresh, reset, "$")
    return found


def use(url: str) -> None:
    """Change everything a test may change: tasks, sources, templates, the clock, task and
    HTTP faults, tokens, a lock-out, a scenario loaded, the journal."""
    with ControlPlane(url) as plane, SmsClient(url, project="cn-north-4", **ACCOUNT) as client:
        client.start_task("sample-ready")
        plane.put_task({"id": "mine", "state": "ABORT"})
        plane.put_source({"name": "a-source-of-mine"}, "ap-southeast-3")
        plane.put_template({"name": "a-template-of-mine"})
        plane.load_scenario("syncing")
        plane.add_fault({"task_id": "sample-abort", "subtask": "SSL_CONFIG", "effect": "fail"})
        plane.add_fault({"match": {"path": "/v3/tasks"}, "status": 503, "times": 5})
        plane.advance(7200)
        client.delete_task("mine")
        client.get_task("sample-ready")
    wrong = password_body(password="not-the-password")
    refused = requests.post(f"{url}/v3/auth/tokens", json=wrong, timeout=10)
    assert refused.status_code == 401


def state(url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The whole state (its snapshot) and every project's resources as the control plane
    lists them."""
    with ControlPlane(url) as plane:
        every = [plane.every_task(), plane.every_source(), plane.every_template()]
        return plane.snapshot(), every


def carried_on(url: str) -> list[dict[str, Any]]:
    """The lifecycle from here: a task started and a running one, two minutes of clock later."""
    with ControlPlane(url) as plane, SmsClient(url, project="cn-north-4", **ACCOUNT) as client:
        client.start_task("sample-ready")
        plane.advance(120)
        return [plane.every_task(), plane.faults()]


@pytest.fixture(scope="module", params=[False, True], ids=["fixtures", "with-scenarios"])
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Config:
    if not request.param:
        return Config(clock="manual")
    folder = tmp_path_factory.mktemp("fixtures")
    (folder / "scenarios").mkdir()
    advanced = json.loads((SCENARIO_FILES / "syncing.json").read_text())
    advanced["clock"]["advance"] = ADVANCE_S
    (folder / "scenarios" / "advanced.json").write_text(json.dumps(advanced))
    return Config(clock="manual", fixtures=[folder], scenarios=SCENARIOS)


@pytest.fixture
def fresh(settings: Config) -> Iterator[str]:
    with LiveServer(settings) as server:
        yield server.url


@pytest.fixture
def used(settings: Config) -> Iterator[str]:
    with LiveServer(settings) as server:
        yield server.url


def reset(url: str, advance_s: float) -> None:
    """POST /_mock/reset; the clock is then back to now (and on by what the start-up
    scenarios advance it)."""
    with ControlPlane(url) as plane:
        before = wall_ms()
        now_ms = plane.reset()["now_ms"]
        assert before <= now_ms - advance_s * 1000 <= wall_ms()


def test_a_reset_server_is_a_fresh_one_with_its_dates_moved_onto_the_clock(
    settings: Config, fresh: str, used: str
) -> None:
    expected, expected_lists = state(fresh)
    advance_s = ADVANCE_S if settings.scenarios else 0
    for _ in range(3):  # a build, the build of the state kept then restored, a restore
        use(used)
        reset(used, advance_s)
        snapshot, lists = state(used)
        shift = snapshot["clock"]["now_ms"] - expected["clock"]["now_ms"]
        assert differences(expected, snapshot, shift) == []
        assert differences(expected_lists, lists, shift) == []
        assert lists[0]["tasks"] and lists[1]["sources"] and lists[2]["templates"]
    # A file written without a clock keeps its dates as written, at start and after a reset.
    written = json.loads(SEED.read_text())["tasks"][0]
    for snapshot in (expected, state(used)[0]):
        (seed,) = [t["doc"] for t in snapshot["sms"]["tasks"] if t["id"] == written["id"]]
        assert (seed["create_date"], seed["sub_tasks"][0]["start_date"]) == (
            written["create_date"],
            written["sub_tasks"][0]["start_date"],
        )
    # From there, the clock moves tasks alike on both.
    shift = state(used)[0]["clock"]["now_ms"] - state(fresh)[0]["clock"]["now_ms"]
    assert differences(carried_on(fresh), carried_on(used), shift) == []


def test_a_reset_of_a_state_file_is_what_the_next_start_reads(tmp_path: Path) -> None:
    config = {"clock": "manual", "scenarios": SCENARIOS[:3], "state_file": tmp_path / "state.db"}
    with LiveServer(Config(**config)) as server:
        for _ in range(3):
            use(server.url)
            reset(server.url, 0)
        before = state(server.url)
    with LiveServer(Config(**config)) as server:
        assert state(server.url) == before


def test_differences_sees_a_date_moved_by_another_amount_and_ids_swapped() -> None:
    a, b = "a" * 32, "b" * 32
    fresh = {"at": 1000, "fixed": 5, "ids": [a, b], "name": "x"}
    assert differences(fresh, {"at": 1060, "fixed": 5, "ids": [b, a], "name": "x"}, 60) == []
    assert differences(fresh, {"at": 1061, "fixed": 5, "ids": [b, a], "name": "x"}, 60) == [
        "$.at: 1000 / 1061"
    ]
    assert differences(fresh, {"at": 1060, "fixed": 5, "ids": [b, b], "name": "y"}, 60) == [
        f"$.ids[1]: id {b} / {b} matched to another",
        "$.name: 'x' / 'y'",
    ]
