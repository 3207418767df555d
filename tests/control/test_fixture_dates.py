"""The fixtures' dates on the clock: the default tasks and sources, written against their files'
`clock.now_ms`, move onto the emulator's clock at start and at every reset, as a scenario's do,
so that a sample task resumed today has not been running since the day it was written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.control.fixtures import FixtureError
from sms_mock.mock_server.control.written_dates import SOURCE_DATES, SUBTASK_DATES, TASK_DATES
from tests.support.accounts import issue_token
from tests.support.helpers import DAY_S, REPO, SEED_EXAMPLE, Sms, advance, now_ms

DAY_MS = DAY_S * 1000
SAMPLES = json.loads((REPO / "fixtures" / "tasks" / "samples.json").read_text(encoding="utf-8"))
SOURCES = json.loads((REPO / "fixtures" / "sources" / "default.json").read_text(encoding="utf-8"))


def written_dates(doc: dict[str, Any]) -> dict[str, int]:
    """Every date a task document writes, by path (`start_date`, `sub_tasks.2.end_date`)."""
    found = {key: doc[key] for key in TASK_DATES if isinstance(doc.get(key), int)}
    for index, entry in enumerate(doc.get("sub_tasks") or []):
        for key in SUBTASK_DATES:
            if isinstance(entry.get(key), int):
                found[f"sub_tasks.{index}.{key}"] = entry[key]
    return found


def served_date(doc: dict[str, Any], path: str) -> Any:
    holder: Any = doc
    for part in path.split("."):
        holder = holder[int(part)] if isinstance(holder, list) else holder[part]
    return holder


def timeline(doc: dict[str, Any]) -> list[int]:
    """A task's dates in the order they happen: created, started, then each sub-task's start
    and end, then finished."""
    dates = [doc.get("create_date"), doc.get("start_date")]
    for entry in doc.get("sub_tasks") or []:
        dates += [entry.get("start_date"), entry.get("end_date")]
    dates.append(doc.get("finish_date"))
    return [d for d in dates if isinstance(d, int)]


def assert_fixture_dates_on_the_clock(client: FlaskClient) -> None:
    now = now_ms(client)
    sms = Sms(client, issue_token(client))
    shifts = set()
    for written in SAMPLES["tasks"]:
        served = sms.task(written["id"])
        for path, date in written_dates(written).items():
            moved = served_date(served, path)
            shifts.add(moved - date)
            assert now - DAY_MS <= moved <= now, (written["id"], path, moved - now)
        # A live task's estimate is in the future by right; every date that happened is past.
        line = timeline(served)
        assert line == sorted(line), written["id"]
        assert now - DAY_MS <= line[0] and line[-1] <= now, written["id"]
    sources = {
        entry["source"]["id"]: entry["source"]
        for entry in client.get("/_mock/sources").get_json()["sources"]
    }
    source_shifts = set()
    for written in SOURCES["sources"]:
        served = sources[written["id"]]
        for key in SOURCE_DATES:  # those written move; the others are the load's own now
            if isinstance(written.get(key), int):
                source_shifts.add(served[key] - written[key])
            assert now - DAY_MS <= served[key] <= now, (written["id"], key)
    # One shift a file: the order of its documents, and of the dates within each, is kept.
    assert shifts == {now - SAMPLES["clock"]["now_ms"]}
    assert source_shifts == {now - SOURCES["clock"]["now_ms"]}
    # The seed's example has no `clock.now_ms`: frozen, exactly as written.
    assert sms.task(SEED_EXAMPLE["id"])["create_date"] == SEED_EXAMPLE["create_date"]


def test_fixture_dates_are_on_the_clock_at_start(client: FlaskClient) -> None:
    assert_fixture_dates_on_the_clock(client)


def test_fixture_dates_are_on_the_clock_again_after_a_reset(client: FlaskClient) -> None:
    advance(client, 400 * DAY_S)
    Sms(client, issue_token(client)).act("sample-abort", "start")
    assert client.post("/_mock/reset", content_type="application/json").status_code == 200
    assert_fixture_dates_on_the_clock(client)


@pytest.mark.parametrize("task_id", ["sample-abort", "sample-migrate-fail", "sample-ready"])
def test_a_sample_task_started_reports_its_sub_tasks_running_minutes_not_a_year(
    client: FlaskClient, sms: Sms, task_id: str
) -> None:
    assert sms.act(task_id, "start").status_code == 200
    running = sms.task(task_id)
    assert running["state"] == "RUNNING"
    assert 0 <= running["total_time"] <= 10 * 60 * 1000  # the few minutes it ran before
    advance(client, 3600)
    done = sms.task(task_id)
    assert done["state"] == "MIGRATE_SUCCESS"
    took = [e["end_date"] - e["start_date"] for e in done["sub_tasks"]]
    assert all(0 <= t <= 3600 * 1000 for t in took), took
    assert done["total_time"] == sum(took)
    assert timeline(done) == sorted(timeline(done))
    assert done["finish_date"] <= now_ms(client)


# --- a fixtures folder of one's own ---------------------------------------------------------


def write(folder: Path, name: str, body: Any) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


WRITTEN_MS = 1_700_000_000_000


def test_a_tasks_and_a_sources_file_of_ones_own_move_by_their_clock(tmp_path: Path) -> None:
    write(
        tmp_path,
        "sources/mine.json",
        {
            "clock": {"now_ms": WRITTEN_MS},
            "sources": [{"id": "src-mine", "add_date": WRITTEN_MS - 60_000}],
        },
    )
    write(
        tmp_path,
        "tasks/mine.json",
        {
            "clock": {"now_ms": WRITTEN_MS},
            "tasks": [
                {
                    "id": "mine",
                    "state": "ABORT",
                    "create_date": WRITTEN_MS - 50_000,
                    "source_server": {"id": "src-mine"},
                }
            ],
        },
    )
    write(tmp_path, "tasks/as-written.json", {
        "tasks": [{"id": "as-written", "create_date": WRITTEN_MS}],
    })  # fmt: skip
    client = create_app(Config(clock="manual", fixtures=[tmp_path])).test_client()
    now, sms = now_ms(client), Sms(client, issue_token(client))
    assert sms.task("mine")["create_date"] == now - 50_000
    source = client.get("/v3/sources/src-mine", headers=sms.headers).get_json()
    assert source["add_date"] == now - 60_000
    assert sms.task("as-written")["create_date"] == WRITTEN_MS  # no clock: dates as written


def test_a_scenarios_source_dates_move_with_its_tasks(tmp_path: Path) -> None:
    write(tmp_path, "scenarios/dated.json", {
        "description": "A source and its task, written together.",
        "clock": {"now_ms": WRITTEN_MS},
        "sources": [{"id": "s", "add_date": WRITTEN_MS - 60_000}],
        "tasks": [{"id": "t", "create_date": WRITTEN_MS - 50_000, "source_server": {"id": "s"}}],
    })  # fmt: skip
    client = create_app(Config(clock="manual", fixtures=[tmp_path])).test_client()
    now = now_ms(client)
    made = client.post("/_mock/scenarios/dated", content_type="application/json").get_json()
    sms = Sms(client, issue_token(client))
    [task_id], [source_id] = made["task_ids"], made["source_ids"]
    assert sms.task(task_id)["create_date"] == now - 50_000
    source = client.get(f"/v3/sources/{source_id}", headers=sms.headers).get_json()
    assert source["add_date"] == now - 60_000


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("tasks/bad.json", {"clock": {"now_ms": -1}, "tasks": []}, "clock.now_ms"),
        ("tasks/bad.json", {"clock": {"advance": 5}, "tasks": []}, "clock.advance"),
        ("sources/bad.json", {"clock": {"now_ms": "soon"}, "sources": []}, "clock.now_ms"),
        ("sources/bad.json", {"clock": 5, "sources": []}, "clock"),
    ],
)
def test_a_bad_file_clock_stops_the_start_naming_it(
    tmp_path: Path, name: str, body: Any, field: str
) -> None:
    path = write(tmp_path, name, body)
    with pytest.raises(FixtureError) as raised:
        create_app(Config(clock="manual", fixtures=[tmp_path]))
    assert str(raised.value).startswith(f"{path}: {field}: "), str(raised.value)
