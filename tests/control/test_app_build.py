"""What building an emulator (`create_app`) reads and makes.

Its fixtures folder as it is when the emulator is built, whatever emulators the process built
from it before (a process checks an unchanged folder's files once and keeps what it read), each
emulator with fixtures of its own; and its routes, which build their URLs (`url_for`) from the
first call on, though their builders are compiled only when first used."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import url_for

from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.control.fixtures import FixtureError, load_fixture_set
from tests.support.accounts import issue_token
from tests.support.helpers import REPO


def _write_task(folder: Path, name: str) -> None:
    tasks = {"project": "cn-north-4", "tasks": [{"id": "folder-task", "name": name}]}
    (folder / "tasks").mkdir(exist_ok=True)
    (folder / "tasks" / "mine.json").write_text(json.dumps(tasks), encoding="utf-8")


def _task_name(folder: Path) -> Any:
    client = create_app(Config(clock="manual", fixtures=[folder])).test_client()
    auth = {"X-Auth-Token": issue_token(client)}
    answer = client.get("/v3/tasks/folder-task", headers=auth)
    assert answer.status_code == 200
    return answer.get_json()["name"]


def test_each_app_reads_the_folder_as_it_is_now(tmp_path: Path) -> None:
    _write_task(tmp_path, "first")
    assert _task_name(tmp_path) == "first"
    assert _task_name(tmp_path) == "first"  # unchanged: what the process read before
    stat = (tmp_path / "tasks" / "mine.json").stat()
    _write_task(tmp_path, "other")  # as many bytes, and its times set back as they were
    os.utime(tmp_path / "tasks" / "mine.json", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _task_name(tmp_path) == "other"

    shutil.copy(REPO / "fixtures" / "scenarios" / "ready.json", tmp_path / "scenarios.json")
    (tmp_path / "scenarios").mkdir()
    shutil.move(tmp_path / "scenarios.json", tmp_path / "scenarios" / "mine-ready.json")
    client = create_app(Config(clock="manual", fixtures=[tmp_path])).test_client()
    names = [s["name"] for s in client.get("/_mock/scenarios").get_json()["scenarios"]]
    assert "mine-ready" in names


def test_emulators_from_one_folder_share_no_fixture(tmp_path: Path) -> None:
    _write_task(tmp_path, "first")
    first, second = (load_fixture_set([tmp_path]) for _ in range(2))
    first.tasks[0].document["name"] = "changed"
    first.account.users.clear()
    assert second.tasks[0].document["name"] == "first"
    assert load_fixture_set([tmp_path]).tasks[0].document["name"] == "first"
    assert load_fixture_set([REPO / "fixtures"]).account.users


def test_a_broken_file_is_refused_at_every_start(tmp_path: Path) -> None:
    _write_task(tmp_path, "first")
    (tmp_path / "tasks" / "mine.json").write_text('{"project": "cn-north-4", "tasks": 7}')
    for _ in range(2):
        with pytest.raises(FixtureError, match=r"mine\.json: tasks"):
            load_fixture_set([tmp_path])


def test_a_new_apps_routes_build_their_urls_from_the_first_call() -> None:
    app = create_app(Config(clock="manual"))
    with app.test_request_context():
        for _ in range(2):
            assert url_for("sms.show_task", task_id="t-1") == "/v3/tasks/t-1"
            assert url_for("sms.list_tasks", limit=5) == "/v3/tasks?limit=5"
            assert url_for("dashboard.static", filename="a.css") == "/_mock/ui/static/a.css"
