"""What a kept document must hold (README, "Snapshots and persistence").

Specified here: a snapshot, or a state file, whose task document lacks a key its reads index
without a default (`id`, `state`, a sub-task's `name` or `progress`), or whose source,
template or migration project document lacks its `id`, is refused naming the field, and the
state stays as it was; a state file so edited by hand stops the start in one line naming it.
Each of these was accepted, and then made the task list, a task, the source list, the
overview, `/v3/errors` and `/_mock/ui` answer 500 (issue 22, H3).
"""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from sms_mock.mock_server import Config, create_app
from tests.state.test_state_file_hardening import serve_on
from tests.support.assertions import error_message

Snapshot = dict[str, Any]


def _task(snapshot: Snapshot, task_id: str) -> dict[str, Any]:
    return next(t for t in snapshot["sms"]["tasks"] if t["id"] == task_id)


def _index(snapshot: Snapshot, task_id: str) -> int:
    return next(i for i, t in enumerate(snapshot["sms"]["tasks"]) if t["id"] == task_id)


def _drop_sub_task_name(snapshot: Snapshot) -> str:
    del _task(snapshot, "sample-running")["doc"]["sub_tasks"][0]["name"]
    return f"sms.tasks.{_index(snapshot, 'sample-running')}.doc.sub_tasks.0.name"


def _drop_sub_task_progress(snapshot: Snapshot) -> str:
    del _task(snapshot, "sample-running")["doc"]["sub_tasks"][1]["progress"]
    return f"sms.tasks.{_index(snapshot, 'sample-running')}.doc.sub_tasks.1.progress"


def _drop_task_id(snapshot: Snapshot) -> str:
    del _task(snapshot, "sample-ready")["doc"]["id"]
    return f"sms.tasks.{_index(snapshot, 'sample-ready')}.doc.id"


def _drop_task_state(snapshot: Snapshot) -> str:
    del _task(snapshot, "sample-ready")["doc"]["state"]
    return f"sms.tasks.{_index(snapshot, 'sample-ready')}.doc.state"


def _drop_source_id(snapshot: Snapshot) -> str:
    rows = snapshot["sms"]["resources"]
    index = next(i for i, r in enumerate(rows) if r["kind"] == "source")
    del rows[index]["doc"]["id"]
    return f"sms.resources.{index}.doc.id"


MISSING = "Missing data for required field."


@pytest.mark.parametrize(
    "mutate",
    [
        _drop_sub_task_name,
        _drop_sub_task_progress,
        _drop_task_id,
        _drop_task_state,
        _drop_source_id,
    ],
)
def test_a_snapshot_missing_a_key_its_reads_need_is_refused_naming_it(
    client: FlaskClient, mutate: Callable[[Snapshot], str]
) -> None:
    before = client.get("/_mock/snapshot").get_json()
    poisoned = copy.deepcopy(before)
    field = mutate(poisoned)
    answer = client.post("/_mock/snapshot", json=poisoned)
    assert (
        error_message(answer, 400, "MOCK.0400") == f"Invalid request. snapshot: {field}: {MISSING}"
    )
    assert client.get("/_mock/snapshot").get_json() == before


def test_a_source_document_of_another_id_than_its_row_is_refused(client: FlaskClient) -> None:
    snapshot = client.get("/_mock/snapshot").get_json()
    rows = snapshot["sms"]["resources"]
    index = next(i for i, r in enumerate(rows) if r["kind"] == "source")
    rows[index]["doc"]["id"] = "someone-else"
    answer = client.post("/_mock/snapshot", json=snapshot)
    assert error_message(answer, 400, "MOCK.0400") == (
        f"Invalid request. snapshot: sms.resources.{index}.doc.id: "
        "The document's id is not the row's."
    )


def test_a_state_file_whose_sub_task_lost_its_name_stops_the_start(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    create_app(Config(clock="manual", state_file=db)).extensions["sms_mock"].close()
    with sqlite3.connect(db) as connection:
        (data,) = connection.execute(
            "SELECT data FROM tasks WHERE id = 'sample-running'"
        ).fetchone()
        row = json.loads(data)
        del row["doc"]["sub_tasks"][0]["name"]
        connection.execute(
            "UPDATE tasks SET data = ? WHERE id = 'sample-running'", (json.dumps(row),)
        )
        # In the order the state file reads them back.
        ids = [
            json.loads(d)["id"]
            for (_, d) in connection.execute("SELECT project_id, data FROM tasks")
        ]
    result = serve_on(db)
    assert result.returncode == 2
    index = ids.index("sample-running")
    assert result.stderr == (
        f"sms-mock: --state-file {db}: sms.tasks.{index}.doc.sub_tasks.0.name: {MISSING}\n"
    )
    assert result.stdout == ""
