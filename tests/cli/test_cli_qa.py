"""The QA bench without curl: the control-plane commands of `sms-mock`, their `--json`, and what
a new user tripped over (README, "For QA: reproduce what a customer saw")."""

from __future__ import annotations

import argparse
import io
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

import sms_mock
from sms_mock import cli
from sms_mock.cli.output import progress_line
from sms_mock.client import NotFound, SmsClient, TaskSettledElsewhere
from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import ACCOUNT, SECOND_PROJECT_ID
from tests.support.servers import SMS_MOCK


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(Config(clock="manual")) as live:
        yield live


@pytest.fixture(autouse=True)
def fresh(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.emulator.reset()
    monkeypatch.setenv("SMS_MOCK_URL", server.url)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


def ok(*argv: str) -> str:
    code, out = run(*argv)
    assert code == 0, out
    return out


def as_json(*argv: str) -> Any:
    return json.loads(ok(*argv, "--json"))


# --- global options, --version -------------------------------------------------------------------


def test_global_options_go_before_or_after_the_command(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMS_MOCK_URL")
    before = ok("--url", server.url, "--json", "task", "list")
    after = ok("task", "list", "--url", server.url, "--json")
    between = ok("task", "--url", server.url, "--json", "list")  # after the group's name too
    assert json.loads(before) == json.loads(after) == json.loads(between)
    assert {t["id"] for t in json.loads(before)} >= {"sample-ready", "sample-abort"}
    for group in (("scenario", "list"), ("fault", "list"), ("source", "list")):
        assert ok(group[0], "--url", server.url, group[1])


def test_version_is_the_package_version_in_one_place() -> None:
    result = subprocess.run([SMS_MOCK, "--version"], capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == f"sms-mock {sms_mock.__version__}"
    from importlib.metadata import version

    assert version("sms-mock") == sms_mock.__version__


# --- the clock -----------------------------------------------------------------------------------


def test_clock_show_advance_and_set(server: LiveServer) -> None:
    shown = as_json("clock")
    assert shown == requests.get(f"{server.url}/_mock/clock", timeout=5).json()
    moved = as_json("clock", "advance", "90")
    assert moved["now_ms"] == shown["now_ms"] + 90_000
    target = moved["now_ms"] + 3_600_000
    assert as_json("clock", "set", str(target))["now_ms"] == target
    assert ok("clock", "show").startswith(as_json("clock")["now"])


def test_clock_speed_sets_a_real_clocks_and_refuses_a_manual_one(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run("clock", "speed", "10")
    assert code != 0 and "A manual clock has no speed" in capsys.readouterr().err
    with LiveServer(Config(clock="real")) as real:
        code, out = run("--url", real.url, "clock", "speed", "600")
        assert code == 0 and " real x600" in out
        assert requests.get(f"{real.url}/_mock/clock", timeout=5).json()["speed"] == 600


def test_the_clock_is_not_set_back(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("clock", "set", "2020-01-01T00:00:00Z")
    assert code == 2
    assert "only moves forward" in capsys.readouterr().err


# --- scenarios, faults, reset, snapshots, the journal --------------------------------------------


def test_scenario_list_and_load_print_what_was_made(server: LiveServer) -> None:
    listed = as_json("scenario", "list")["scenarios"]
    assert "failed-at-migrate-40" in {s["name"] for s in listed}
    printed = ok("scenario", "load", "failed-at-migrate-40").split()
    assert printed[0] == "task"
    task = SmsClient(server.url, project="cn-north-4", **ACCOUNT).get_task(printed[1])
    assert task.state == "MIGRATE_FAIL"


def test_scenario_load_names_what_it_made_and_a_second_load_apart() -> None:
    first = ok("scenario", "load", "fault-at-migrate-40").splitlines()
    second = ok("scenario", "load", "fault-at-migrate-40").splitlines()
    task_ids = [line.split()[1] for line in first if line.startswith("task ")]
    assert [line.split()[::2] for line in first[:4]] == [
        ["task", "app-01"], ["task", "app-02"], ["source", "app-01"], ["source", "app-02"]
    ]  # fmt: skip
    assert [line.split()[2] for line in second[:4]] == ["app-01_2", "app-02_2"] * 2
    (fault,) = [line for line in first if line.startswith("fault ")]
    assert fault.endswith(f" app-01 ({task_ids[0]}) MIGRATE_LINUX_FILE at 40% fail")
    listed = as_json("task", "list")
    assert [t["id"] for t in listed if t["name"] == "app-01"] == task_ids[:1]


def test_faults_from_the_command_line_fire_and_are_listed_and_cleared() -> None:
    task_fault = ok(
        "fault",
        "add",
        "--task",
        "sample-ready",
        "--subtask",
        "SSL_CONFIG",
        "--at-progress",
        "50",
        "--error-json",
        '{"error_code": "SMS.0205"}',
    ).split()[0]
    http_fault = as_json("fault", "add", "--path", "/v3/tasks/*", "--status", "503")
    faults = as_json("fault", "list")["faults"]
    assert [f["id"] for f in faults] == [task_fault, http_fault["id"]]
    table = ok("fault", "list")
    assert "ready-web-01 (sample-ready) SSL_CONFIG at 50% fail" in table  # by name and id
    assert "* /v3/tasks/* -> 503" in table
    ok("fault", "clear", task_fault)
    assert [f["id"] for f in as_json("fault", "list")["faults"]] == [http_fault["id"]]
    ok("fault", "clear")
    assert as_json("fault", "list") == {"faults": []}


def test_a_fault_for_an_absent_task_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _ = run("fault", "add", "--task", "sample-redy", "--subtask", "SSL_CONFIG")
    assert code == 1
    assert capsys.readouterr().err.strip().startswith("sms-mock: POST /_mock/faults: 404 SMS.7703")


def test_reset_snapshot_save_and_restore(tmp_path: Path, server: LiveServer) -> None:
    saved = tmp_path / "before.json"
    assert ok("snapshot", "save", str(saved)).startswith(f"saved {saved}: ")
    ok("task", "delete", "sample-ready")
    assert "sample-ready" not in {t["id"] for t in as_json("task", "list")}
    assert ok("snapshot", "restore", str(saved)).startswith("restored: ")
    assert "sample-ready" in {t["id"] for t in as_json("task", "list")}
    ok("task", "delete", "sample-ready")
    assert as_json("reset")["status"] == "reset"
    assert "sample-ready" in {t["id"] for t in as_json("task", "list")}


def test_journal_prints_a_line_a_request(server: LiveServer) -> None:
    ok("fault", "add", "--path", "/v3/tasks", "--status", "503")
    requests.get(f"{server.url}/v3/tasks", timeout=5)
    lines = ok("journal", "--path", "/v3/tasks").splitlines()
    fault_id = as_json("fault", "list")["faults"][0]["id"]
    assert lines[-1].startswith("GET /v3/tasks 503 ") and lines[-1].endswith(f"[{fault_id}]")
    assert len(ok("journal", "--limit", "2").splitlines()) == 2
    answer = as_json("journal", "--limit", "2")  # the control plane's answer, its newest two
    whole = requests.get(f"{server.url}/_mock/requests", timeout=5).json()
    assert set(answer) == {"requests", "size"} and answer["size"] == whole["size"]
    assert [e["id"] for e in answer["requests"]] == [e["id"] for e in whole["requests"][-2:]]


# Run as a terminal runs it: a shell's background job (a CI runner's, say) starts with Ctrl-C
# ignored and hands that on to its children, and Python then never raises KeyboardInterrupt.
WITH_CTRL_C = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])",
]


def test_journal_follow_prints_each_new_request_until_interrupted(server: LiveServer) -> None:
    process = subprocess.Popen(
        [*WITH_CTRL_C, SMS_MOCK, "journal", "--follow", "--path", "/v3/tasks/*"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SMS_MOCK_URL": server.url},
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        # Each request after the line of the one before: only a command still following sees it.
        for task_id in ("sample-ready", "sample-abort"):
            requests.get(f"{server.url}/v3/tasks/{task_id}", timeout=5)  # no token: 401
            assert lines.get(timeout=30).startswith(f"GET /v3/tasks/{task_id} 401 ")
        process.send_signal(signal.SIGINT)  # Ctrl-C
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.stderr is not None and process.stderr.read() == ""


def test_snapshot_save_and_restore_through_standard_output_and_input(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = ok("snapshot", "save", "-")
    assert json.loads(saved) == requests.get(f"{server.url}/_mock/snapshot", timeout=5).json()
    ok("task", "delete", "sample-ready")
    monkeypatch.setattr("sys.stdin", io.StringIO(saved))
    assert ok("snapshot", "restore", "-").startswith("restored: ")
    assert "sample-ready" in {t["id"] for t in as_json("task", "list")}


def test_into_loads_a_scenario_and_adds_a_task_fault_in_the_project_named(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = ok("scenario", "load", "failed-at-migrate-40", "--into", "ap-southeast-3")
    assert printed.split()[0] == "task"
    task_id = printed.split()[1]
    other = SmsClient(server.url, project="ap-southeast-3", **ACCOUNT)
    assert other.get_task(task_id).state == "MIGRATE_FAIL"
    with pytest.raises(NotFound):
        SmsClient(server.url, project="cn-north-4", **ACCOUNT).get_task(task_id)

    fault = ["fault", "add", "--task", task_id, "--subtask", "MIGRATE_LINUX_FILE",
             "--at-progress", "80"]  # fmt: skip
    assert run(*fault)[0] == 1  # without --into: the default project, which has no such task
    assert "404 SMS.7703" in capsys.readouterr().err
    added = as_json(*fault, "--into", "ap-southeast-3")
    assert added["project_id"] == SECOND_PROJECT_ID
    other.restart_task(task_id)
    ok("clock", "advance", "600")
    failed = other.get_task(task_id)
    assert (failed.state, failed.current_subtask.progress) == ("MIGRATE_FAIL", 80)


# --- SMS: sources and the new task verbs ---------------------------------------------------------


def test_source_list_and_show() -> None:
    listed = as_json("source", "list")
    assert "src-linux-file" in {s["id"] for s in listed}
    assert as_json("source", "show", "src-linux-file")["id"] == "src-linux-file"
    assert "src-linux-file" in ok("source", "list")


def test_source_show_prints_a_summary_and_json_on_request() -> None:
    lines = ok("source", "show", "src-linux-file").splitlines()
    assert lines[0].split() == ["src-linux-file", "linux-file-01", "192.168.0.31"]
    assert lines[1].startswith("state: waiting")
    assert lines[3] == "task: -"
    assert lines[4].startswith("disks: /dev/sda 40.0 GiB (2.3 GiB used)")
    assert as_json("source", "show", "src-linux-file")["ip"] == "192.168.0.31"


@pytest.mark.parametrize(
    ("verb", "task_id", "line"),
    [
        ("start", "sample-migrate-success",
         "task sample-migrate-success: SYNCING (sync, phase RESYNC0)"),  # a finished task syncs
        ("start", "sample-ready", "task sample-ready: RUNNING (replication, phase REPLICATE)"),
        ("restart", "sample-migrate-fail",
         "task sample-migrate-fail: RUNNING (replication, phase REPLICATE)"),
    ],
)  # fmt: skip
def test_start_and_restart_print_the_state_and_phase_they_led_to(
    verb: str, task_id: str, line: str
) -> None:
    assert ok("task", verb, task_id) == line + "\n"


def test_a_wrong_create_body_is_refused_naming_every_field_the_server_would(
    tmp_path: Path, server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {"name": 5, "type": "NOPE", "os_type": "LINUX", "source_server": {"id": 3}}
    (tmp_path / "task.json").write_text(json.dumps(body), encoding="utf-8")
    code, _ = run("task", "create", str(tmp_path / "task.json"))
    (line,) = capsys.readouterr().err.splitlines()
    client = SmsClient(server.url, project="cn-north-4", **ACCOUNT)
    answer = requests.post(f"{server.url}/v3/tasks", json=body, timeout=5,
                           headers={"X-Auth-Token": client.token()}).json()  # fmt: skip
    named = re.findall(r"(?:^|; )([a-z_.]+): ", answer["error_msg"].split(". ", 1)[1])
    assert code == 3 and len(named) == 8, named  # type, ..., and the 6 missing
    assert line.startswith("sms-mock: contract violation: request create task request: ")
    for field in named:
        assert f"{field}: " in line or f"field '{field}': " in line, (field, line)


def test_task_create_from_a_readme_body_then_delete(tmp_path: Path) -> None:
    from tests.support.helpers import create_body

    body = tmp_path / "task.json"
    body.write_text(json.dumps(create_body("src-linux-file")), encoding="utf-8")
    task_id = ok("task", "create", str(body)).strip()
    assert as_json("task", "show", task_id)["state"] == "READY"
    assert ok("task", "delete", task_id) == f"deleted: {task_id}\n"


@pytest.mark.parametrize(
    ("verb", "extra", "code"),
    [
        ("cutover", (), 0),
        ("test", (), 0),
        ("clone-test", ("--template-id", "tpl-default"), 0),
        ("rollback", (), 1),
    ],
)
def test_task_verbs_send_their_operations(
    server: LiveServer, verb: str, extra: tuple[str, ...], code: int
) -> None:
    got, _ = run("task", verb, "sample-migrate-success", *extra)
    assert got == code
    operations = [r["operation"] for r in server.emulator.journal.query(path="/v3/tasks/*/action")]
    wanted = {"clone-test": "clone_test", "rollback": "sync_failed_rollback"}.get(verb, verb)
    assert operations[-1] == wanted


# --- what a new user tripped over ----------------------------------------------------------------


def _every_parser(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _every_parser(sub, (*path, name))


def _entry(help_text: str, option: str) -> str:
    """An option's entry in a --help: its line and the lines of its help after it."""
    lines = help_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(option))
    rest = lines[start + 1 :]
    end = next((i for i, line in enumerate(rest) if not line.startswith(" " * 6)), len(rest))
    return " ".join([lines[start], *rest[:end]])


def test_every_help_has_a_description_an_example_and_its_defaults() -> None:
    parsers = list(_every_parser(cli.build_parser()))
    assert {path[0] for path, _ in parsers if path} >= {"serve", "proxy", "conform", "record"}
    for path, parser in parsers:
        text = parser.format_help()
        assert parser.description, path
        assert "example:\n  sms-mock " in text or "example:\n  SMS_MOCK" in text, path
        for action in parser._actions:
            valued = action.default not in (None, False, argparse.SUPPRESS, [])
            if action.option_strings and valued and action.help != argparse.SUPPRESS:
                assert "default" in _entry(text, action.option_strings[0]), (path, action.dest)
    serve = dict(parsers)[("serve",)].format_help()
    assert "API or control-plane error" not in serve  # the client's exit codes are not its own
    assert "Exit codes: 0 stopped" in serve


def test_on_a_manual_clock_the_bar_says_so_instead_of_an_eta() -> None:
    ok("task", "restart", "sample-migrate-fail")
    ok("clock", "advance", "10")
    line = ok("task", "show", "sample-migrate-fail").splitlines()[1]
    assert re.search(r" RUNNING manual clock: \d+m\d\ds left$", line), line


def test_a_closed_pipe_ends_the_command_quietly(server: LiveServer) -> None:
    for _ in range(100):
        requests.post(f"{server.url}/_mock/tasks", json={}, timeout=5)
    # About 140 KiB, more than a pipe holds: the command is still writing when `head` has gone.
    result = subprocess.run(
        ["bash", "-c", f"{SMS_MOCK} task list --json | head -1"],
        capture_output=True,
        text=True,
        timeout=30,
        env={"SMS_MOCK_URL": server.url, "PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.startswith("[")
    assert result.stderr == ""


def test_a_task_that_settles_elsewhere_ends_the_wait(server: LiveServer) -> None:
    requests.post(
        f"{server.url}/_mock/tasks", json={"id": "synced", "state": "SYNC_SUCCESS"}, timeout=5
    )
    client = SmsClient(server.url, project="cn-north-4", **ACCOUNT)
    with pytest.raises(TaskSettledElsewhere) as caught:
        client.wait_for_state("synced", "MIGRATE_SUCCESS", timeout=60, interval=0.01)
    assert caught.value.state == "SYNC_SUCCESS"
    assert caught.value.wanted == ("MIGRATE_SUCCESS",)


def test_the_running_sub_task_is_the_latest_runs_after_a_restart(server: LiveServer) -> None:
    client = SmsClient(server.url, project="cn-north-4", **ACCOUNT)
    assert client.get_task("sample-migrate-fail").current_subtask.name == "MIGRATE_LINUX_FILE"
    client.restart_task("sample-migrate-fail")
    server.emulator.clock.advance(10)
    task = client.get_task("sample-migrate-fail")
    assert task.state == "RUNNING"
    current = task.current_subtask
    assert current.end_date is None and current.start_date is not None
    # the failed run's entry is still there, in front, and is not the one shown
    stale = [s for s in task.sub_tasks if s.name == "MIGRATE_LINUX_FILE" and s.progress == 40]
    assert stale and current is not stale[0]
    line = progress_line(task)
    assert f"{current.name} RUNNING ETA " in line


def test_a_validation_error_names_every_wrong_field(server: LiveServer) -> None:
    client = SmsClient(server.url, project="cn-north-4", **ACCOUNT)
    response = requests.post(
        f"{server.url}/v3/tasks",
        json={"name": 5, "type": "NOPE"},
        headers={"X-Auth-Token": client.token()},
        timeout=5,
    )
    message = response.json()["error_msg"]
    assert response.status_code == 400
    for field in ("name", "type", "source_server", "target_server"):
        assert f"{field}: " in message, message
