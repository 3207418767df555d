"""`--state-file`: all state in SQLite, every acknowledged write durable, kill -9 included; a real
clock and its tasks go on after a restart from where the file left them."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient

from sms_mock.mock_server import Config, create_app
from tests.support.accounts import issue_token, password_body
from tests.support.assertions import error_message
from tests.support.helpers import Sms, advance, put_task, restarted
from tests.support.servers import LISTENING, SMS_MOCK, issue, serving


def app_on(state_file: Path) -> FlaskClient:
    return create_app(Config(clock="manual", state_file=state_file)).test_client()


def test_state_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    client = app_on(db)
    token = issue_token(client)
    sms = Sms(client, token)
    sms.act("sample-ready", "start")
    now = advance(client, 50)
    put_task(client, {"id": "kept", "name": "kept"}, project="ap-southeast-3")
    sms.delete("sample-abort")
    client.post("/_mock/faults", json={"task_id": "sample-ready", "subtask": "MIGRATE_LINUX_FILE"})
    before = sms.task("sample-ready")

    again = restarted(client)
    assert again.get("/_mock/clock").get_json()["now_ms"] == now
    revived = Sms(again, token)  # the token too survived
    assert revived.task("sample-ready") == before
    assert revived.show("sample-abort").status_code == 404
    assert len(again.get("/_mock/faults").get_json()["faults"]) == 1
    advance(again, 3600)
    assert revived.task("sample-ready")["state"] == "MIGRATE_FAIL"  # the fault was kept


def test_an_existing_state_file_is_not_overwritten_by_fixtures(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    client = app_on(db)
    Sms(client, issue_token(client)).delete("sample-ready")
    again = restarted(client)
    assert Sms(again, issue_token(again)).show("sample-ready").status_code == 404


def test_lockouts_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    client = app_on(db)
    for _ in range(5):
        client.post("/v3/auth/tokens", json=password_body(password="wrong"))
    again = restarted(client)
    refused = again.post("/v3/auth/tokens", json=password_body())
    assert error_message(refused, 401, "Unauthorized") == "The account is locked."


def test_reset_and_snapshot_restore_are_saved_whole(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    client = app_on(db)
    Sms(client, issue_token(client)).delete("sample-ready")
    saved = client.get("/_mock/snapshot").get_json()
    client.post("/_mock/reset", content_type="application/json")
    after_reset = restarted(client)
    assert Sms(after_reset, issue_token(after_reset)).show("sample-ready").status_code == 200
    after_reset.post("/_mock/snapshot", json=saved)
    again = restarted(after_reset)
    assert Sms(again, issue_token(again)).show("sample-ready").status_code == 404


# --- kill -9 -------------------------------------------------------------------------------------


def start(db: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [SMS_MOCK, "serve", "--port", "0", "--clock", "manual", "--state-file", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    match = LISTENING.match(process.stdout.readline().rstrip("\n"))
    assert match, "the server did not start"
    return process, f"http://127.0.0.1:{match.group(1)}"


class Writer:
    """Streams writes at a server; remembers only those it saw acknowledged."""

    def __init__(self, url: str, rng: random.Random) -> None:
        self.url = url
        self.rng = rng
        self.http = requests.Session()
        self.tokens: list[str] = []
        self.tasks: dict[str, str] = {}  # id -> the state it must at least have reached
        self.clock_ms = 0

    def write(self) -> None:
        kind = self.rng.choice(["token", "task", "start", "advance"])
        if kind == "token" or not self.tokens:
            response = self.http.post(f"{self.url}/v3/auth/tokens", json=password_body(), timeout=5)
            if response.status_code == 201:
                self.tokens.append(response.headers["X-Subject-Token"])
        elif kind == "task":
            task_id = f"w{self.rng.randrange(10**9)}"
            response = self.http.post(f"{self.url}/_mock/tasks", json={"id": task_id}, timeout=5)
            if response.status_code == 201:
                self.tasks[task_id] = "READY"
        elif kind == "start" and self.tasks:
            task_id = self.rng.choice(sorted(self.tasks))
            response = self.http.post(
                f"{self.url}/v3/tasks/{task_id}/action",
                json={"operation": "start"},
                headers={"X-Auth-Token": self.tokens[-1]},
                timeout=5,
            )
            if response.status_code == 200:
                self.tasks[task_id] = "STARTED"
        else:
            response = self.http.post(
                f"{self.url}/_mock/clock/advance", json={"seconds": 1}, timeout=5
            )
            if response.status_code == 200:
                self.clock_ms = response.json()["now_ms"]

    def run_until_killed(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                self.write()
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                return  # killed: what was in flight is not acknowledged


def check(url: str, writer: Writer) -> None:
    http = requests.Session()
    clock = http.get(f"{url}/_mock/clock", timeout=5).json()["now_ms"]
    assert clock >= writer.clock_ms
    for token in writer.tokens:
        own = {"X-Subject-Token": token, "X-Auth-Token": token}
        answer = http.get(f"{url}/v3/auth/tokens", headers=own, timeout=5)
        assert answer.status_code == 200, "an acknowledged token was lost"
    token = writer.tokens[-1]
    for task_id, state in writer.tasks.items():
        answer = http.get(f"{url}/v3/tasks/{task_id}", headers={"X-Auth-Token": token}, timeout=5)
        assert answer.status_code == 200, f"acknowledged task {task_id} was lost"
        if state == "STARTED":
            assert answer.json()["state"] != "READY", f"the start of {task_id} was lost"


def test_sigkill_loses_no_acknowledged_write(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    rng = random.Random(20261126)
    writer: Writer | None = None
    for _ in range(4):
        process, url = start(db)
        if writer is not None:
            check(url, writer)  # everything acknowledged before the last kill is there
            writer.url = url
            writer.http = requests.Session()
        else:
            writer = Writer(url, rng)
        # Kill at a random moment while writes stream in; bounded in time.
        killer = threading.Timer(rng.uniform(0.2, 0.8), process.send_signal, [signal.SIGKILL])
        killer.start()
        writer.run_until_killed(time.monotonic() + 5)
        killer.join()
        process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL
    assert writer is not None and len(writer.tasks) > 3 and len(writer.tokens) > 1
    process, url = start(db)
    try:
        check(url, writer)
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- a real clock across restarts -----------------------------------------------------------------

# A real clock at a thousandth of wall time moves a millisecond a wall second: what moves it in
# these tests is what they advance, and the bounds below hold for hours of a slow machine.
SLOW_REAL_CLOCK = ("--clock", "real", "--speed", "0.001")
HOUR_MS = 3_600_000


def _clock_ms(url: str) -> int:
    return requests.get(f"{url}/_mock/clock", timeout=5).json()["now_ms"]


def _advance(url: str, seconds: float) -> int:
    response = requests.post(f"{url}/_mock/clock/advance", json={"seconds": seconds}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["now_ms"]


def _task(url: str, token: str) -> dict:
    response = requests.get(
        f"{url}/v3/tasks/sample-ready", headers={"X-Auth-Token": token}, timeout=5
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("stop_with", "exit_code"),
    [
        pytest.param(signal.SIGTERM, 0, id="stopped"),
        # Nothing is saved at the kill: the clock goes on from the last write, the advance.
        pytest.param(signal.SIGKILL, -signal.SIGKILL, id="killed"),
    ],
)
def test_a_real_clock_and_its_tasks_go_on_from_where_the_state_file_left_them(
    tmp_path: Path, stop_with: int, exit_code: int
) -> None:
    command = (SMS_MOCK, "serve", *SLOW_REAL_CLOCK, "--state-file", str(tmp_path / "state.db"))
    with serving(*command) as (process, url):
        _advance(url, 24 * 3600)  # a day ahead of the wall time, where a fresh clock would start
        token = issue(url)
        started = requests.post(
            f"{url}/v3/tasks/sample-ready/action",
            json={"operation": "start"},
            headers={"X-Auth-Token": token},
            timeout=5,
        )
        assert started.status_code == 200, started.text
        left_at = _advance(url, 100)  # REPLICATE (190.896 s) is in ATTACH_AGENT_IMAGE
        before = _task(url, token)
        process.send_signal(stop_with)
        assert process.wait(timeout=10) == exit_code

    with serving(*command) as (_, url):
        assert left_at <= _clock_ms(url) < left_at + HOUR_MS  # time did not pass while down
        after = _task(url, token)  # the token too is as it was
        assert after["state"] == "RUNNING"
        assert after["sub_tasks"] == before["sub_tasks"]  # same entries, same progress
        running = [s["name"] for s in after["sub_tasks"] if s["end_date"] is None]
        assert running[:1] == ["ATTACH_AGENT_IMAGE"]
        _advance(url, 80)  # 180 s in: FORMAT_DISK_LINUX_FILE
        assert _task(url, token)["state"] == "RUNNING"
        _advance(url, 11)  # 191 s in: REPLICATE is done
        assert _task(url, token)["state"] == "MIGRATE_SUCCESS"


def test_a_state_file_that_is_not_sqlite_stops_the_start_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "state.db"
    bad.write_text("not a database" * 100)
    result = subprocess.run(
        [SMS_MOCK, "serve", "--port", "0", "--state-file", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"sms-mock: --state-file {bad}: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_sources_templates_and_migprojects_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    client = app_on(db)
    headers = {"X-Auth-Token": issue_token(client)}
    client.put("/v3/sources/src-linux-file", json={"name": "renamed"}, headers=headers)
    client.delete("/v3/sources/src-windows", headers=headers)
    client.put(
        "/v3/vm/templates/tpl-default",
        json={"template": {"flavor": "c7.xlarge.2"}},
        headers=headers,
    )
    wave = client.post(
        "/v3/migprojects",
        json={"name": "wave-2", "region": "cn-north-4", "type": "MIGRATE_FILE"},
        headers=headers,
    ).get_json()["id"]
    client.post("/v3/privacy-agreements", headers={**headers, "Content-Type": "application/json"})

    again = restarted(client)
    assert again.get("/v3/sources/src-linux-file", headers=headers).get_json()["name"] == "renamed"
    assert again.get("/v3/sources/src-windows", headers=headers).status_code == 404
    template = again.get("/v3/vm/templates/tpl-default", headers=headers).get_json()["template"]
    assert template["flavor"] == "c7.xlarge.2"
    assert again.get(f"/v3/migprojects/{wave}", headers=headers).status_code == 200
    assert again.get("/v3/privacy-agreements", headers=headers).get_json() == {"flag": True}


def _format_1(snapshot: dict) -> dict:
    """A snapshot as version 0.1 wrote it: no sources, templates or migprojects."""
    sms = {key: value for key, value in snapshot["sms"].items() if key != "resources"}
    return {**snapshot, "format": "sms-mock-snapshot/1", "sms": sms}


def test_a_format_1_snapshot_is_migrated_with_a_default_migproject(client: FlaskClient) -> None:
    old = _format_1(client.get("/_mock/snapshot").get_json())
    assert client.post("/_mock/snapshot", json=old).status_code == 200
    headers = {"X-Auth-Token": issue_token(client)}
    listed = client.get("/v3/migprojects", headers=headers).get_json()["migprojects"]
    assert [m["name"] for m in listed] == ["SystemProject"]
    assert client.get("/v3/sources", headers=headers).get_json()["count"] == 0
    assert client.get("/_mock/snapshot").get_json()["format"] == "sms-mock-snapshot/2"


def test_a_snapshot_of_a_newer_format_is_refused_naming_it(client: FlaskClient) -> None:
    newer = {**client.get("/_mock/snapshot").get_json(), "format": "sms-mock-snapshot/9"}
    message = error_message(client.post("/_mock/snapshot", json=newer), 400, "MOCK.0400")
    assert "sms-mock-snapshot/9" in message


def test_a_state_file_of_a_newer_format_stops_the_start_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    app_on(db).application.extensions["sms_mock"].close()
    import sqlite3

    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE meta SET value = ? WHERE key = 'format'", ('"sms-mock-snapshot/9"',)
        )
    done = subprocess.run(
        [SMS_MOCK, "serve", "--port", "0", "--state-file", str(db)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "sms-mock-snapshot/9" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_format_1_state_file_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    app_on(db).application.extensions["sms_mock"].close()
    import sqlite3

    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM resources")
        connection.execute(
            "UPDATE meta SET value = ? WHERE key = 'format'", ('"sms-mock-snapshot/1"',)
        )
    again = app_on(db)
    headers = {"X-Auth-Token": issue_token(again)}
    listed = again.get("/v3/migprojects", headers=headers).get_json()["migprojects"]
    assert [m["name"] for m in listed] == ["SystemProject"]
    assert again.get("/v3/tasks/sample-ready", headers=headers).status_code == 200


def test_a_fired_http_fault_is_saved_before_its_answer(tmp_path: Path) -> None:
    # A fault for one request that fired, then a kill -9: it must not fire again.
    db = tmp_path / "state.db"
    app = create_app(Config(clock="manual", state_file=db))
    client = app.test_client()
    client.post("/_mock/faults", json={"match": {"path": "/v3/nowhere"}, "status": 503})
    assert client.get("/v3/nowhere").status_code == 503
    # What the file holds now, read by a second connection, as a restart would read it.
    with sqlite3.connect(db) as connection:
        rows = [json.loads(r[0]) for r in connection.execute("SELECT data FROM faults")]
    assert [row["remaining"] for row in rows] == [0]
    app.extensions["sms_mock"].close()
