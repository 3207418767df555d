"""The client side of `sms-mock`: token, task list/show/start/stop/restart/wait, exit codes (each
of README's, 3 through an answer the emulator's HTTP fault breaks)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sms_mock import cli
from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import password_body

SMS_MOCK = str(Path(sys.executable).with_name("sms-mock"))


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    # A fast real clock: a default replication (191 s) takes a fifth of a second.
    with LiveServer(Config(clock="real", speed=1000)) as live:
        yield live


@pytest.fixture(autouse=True)
def fresh(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.emulator.reset()
    monkeypatch.setenv("SMS_MOCK_URL", server.url)


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_token_prints_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("token", capsys=capsys)
    assert code == 0
    assert out.startswith("MII") and out.count("\n") == 1


def test_token_json_prints_iams_answer_with_the_token(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run("token", "--json", capsys=capsys)
    answer = json.loads(out)
    raw = requests.post(
        f"{server.url}/v3/auth/tokens", json=password_body(), timeout=5
    )  # the same call, by hand
    assert code == 0
    assert answer["X-Subject-Token"].startswith("MII")
    assert set(answer) == {"X-Subject-Token", *raw.json()}
    assert set(answer["token"]) == set(raw.json()["token"])
    assert answer["token"]["project"]["name"] == "cn-north-4"


@pytest.mark.parametrize(
    ("task_id", "bar"),
    [
        ("sample-ready", "[" + "." * 30 + "]   0% - READY"),  # not started: nothing done yet
        ("sample-migrate-success", "[" + "#" * 30 + "] 100% - MIGRATE_SUCCESS"),
    ],
)
def test_task_show_draws_no_bar_before_a_run_and_a_full_one_after(
    task_id: str, bar: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run("task", "show", task_id, capsys=capsys)
    assert code == 0
    assert out.splitlines()[1] == bar


def test_the_eta_is_in_wall_time(capsys: pytest.CaptureFixture[str]) -> None:
    # sample-running has about an hour of clock left; the clock runs 1000 times wall time.
    code, out, _ = run("task", "show", "sample-running", capsys=capsys)
    assert code == 0
    assert re.search(r" RUNNING ETA [0-4]s$", out.splitlines()[1]), out


def test_task_list_prints_a_row_per_task(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("task", "list", capsys=capsys)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["ID", "NAME", "STATE", "SUB-TASK"]
    assert len(lines) == 7
    assert any(line.split()[:3] == ["sample-abort", "paused-app-01", "ABORT"] for line in lines)
    assert "MIGRATE_LINUX_FILE 40%" in next(line for line in lines if "sample-abort" in line)


def test_task_list_filters_by_state_and_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("task", "list", "--state", "MIGRATE_FAIL", "--json", capsys=capsys)
    assert code == 0
    assert [task["id"] for task in json.loads(out)] == ["sample-migrate-fail"]


def test_task_show_json_prints_the_task_as_the_server_answered_it(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run("task", "show", "sample-ready", "--json", capsys=capsys)
    _, token, _ = run("token", capsys=capsys)
    raw = requests.get(
        f"{server.url}/v3/tasks/sample-ready", headers={"X-Auth-Token": token.strip()}, timeout=5
    ).json()
    assert code == 0
    assert json.loads(out) == raw


def test_start_with_wait_follows_the_task_to_its_end(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run("task", "start", "sample-ready", "--wait", "--interval", "0.02",
                         capsys=capsys)  # fmt: skip
    assert code == 0
    assert out == "sample-ready: MIGRATE_SUCCESS\n"
    progress = err.splitlines()
    assert progress[-1].endswith("100% - MIGRATE_SUCCESS")
    assert any("MIGRATE_LINUX_FILE" in line or "ATTACH_AGENT_IMAGE" in line for line in progress)


def test_stop_without_wait_answers_at_once_with_where_the_task_stands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run("task", "stop", "sample-running", capsys=capsys)
    assert code == 0
    # ABORTING for a moment of the clock, then ABORT: either, as the clock here runs fast.
    assert re.fullmatch(r"task sample-running: ABORT(ING)? \(replication, phase REPLICATE\)\n", out)


def test_a_failed_task_exits_4_with_its_error(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = {"task_id": "sample-ready", "subtask": "SSL_CONFIG", "at_progress": 50,
             "error_json": {"error_code": "SMS.0205", "error_msg": "time zone"}}  # fmt: skip
    requests.post(f"{server.url}/_mock/faults", json=fault, timeout=5).raise_for_status()
    code, _, err = run("task", "start", "sample-ready", "--wait", "--interval", "0.02",
                       capsys=capsys)  # fmt: skip
    assert code == 4
    error = '{"error_code":"SMS.0205","error_msg":"time zone"}'
    assert err.splitlines()[-1] == f"sms-mock: task sample-ready MIGRATE_FAIL: {error}"


def test_a_task_paused_on_the_way_exits_7(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    fault = {"task_id": "sample-ready", "subtask": "SSL_CONFIG", "at_progress": 50,
             "effect": "pause"}  # fmt: skip
    requests.post(f"{server.url}/_mock/faults", json=fault, timeout=5).raise_for_status()
    code, _, err = run("task", "start", "sample-ready", "--wait", "--interval", "0.02",
                       capsys=capsys)  # fmt: skip
    assert code == 7
    assert "ABORT" in err.splitlines()[-1]


def test_task_wait_follows_a_running_task_as_start_wait_does(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # sample-running has about an hour of clock left: 500 s of it is half a second here.
    server.emulator.clock.advance(3200)
    code, out, err = run("task", "wait", "sample-running", "--interval", "0.02", capsys=capsys)
    assert (code, out) == (0, "sample-running: MIGRATE_SUCCESS\n")
    progress = err.splitlines()
    assert progress[-1].endswith("100% - MIGRATE_SUCCESS")
    assert any(" RUNNING ETA " in line for line in progress), progress


@pytest.mark.parametrize(
    ("fault", "extra", "code", "message"),
    [
        ({"effect": "fail", "error_json": {"error_code": "SMS.0205"}}, (), 4,
         'sms-mock: task sample-ready MIGRATE_FAIL: {"error_code":"SMS.0205"'),
        ({"effect": "pause"}, (), 7, "sms-mock: task sample-ready settled in ABORT"),
        ({"effect": "pause"}, ("--state", "ABORT"), 0, None),
        (None, ("--timeout", "0"), 5, "sms-mock: task sample-running still RUNNING after 0 s"),
    ],
    ids=["failed", "settled elsewhere", "--state", "timed out"],
)  # fmt: skip
def test_task_wait_ends_with_start_waits_exit_codes(
    server: LiveServer,
    fault: dict[str, Any] | None,
    extra: tuple[str, ...],
    code: int,
    message: str | None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if fault is not None:
        spec = {"task_id": "sample-ready", "subtask": "SSL_CONFIG", "at_progress": 50, **fault}
        requests.post(f"{server.url}/_mock/faults", json=spec, timeout=5).raise_for_status()
    task_id = "sample-ready"
    if fault is None:
        task_id = "sample-running"  # an hour of clock left: still running after 0 s
    else:
        assert run("task", "start", task_id, capsys=capsys)[0] == 0
    got, out, err = run("task", "wait", task_id, "--interval", "0.02", *extra,
                        capsys=capsys)  # fmt: skip
    assert got == code
    if message is None:
        assert out == "sample-ready: ABORT\n"
    else:
        assert err.splitlines()[-1].startswith(message), err


def test_stop_with_wait_waits_for_abort(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("task", "stop", "sample-running", "--wait", "--interval", "0.02",
                       capsys=capsys)  # fmt: skip
    assert (code, out) == (0, "sample-running: ABORT\n")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("task", "start", "sample-running"), 1, "sms-mock: 400 SMS.7713: Only tasks in the"),
        (("task", "show", "absent"), 1, "sms-mock: 404 SMS.7703: Task does not exist."),
        (("token", "--password", "wrong"), 1, "sms-mock: 401: The username or password is wrong."),
        (("task", "restart", "sample-ready", "--wait"), 1, "sms-mock: 400 SMS.7722"),
        (("task", "start", "sample-ready", "--wait", "--timeout", "0"), 5,
         "sms-mock: task sample-ready still"),
        (("task", "list", "--url", "http://127.0.0.1:9"), 6,
         "sms-mock: cannot reach http://127.0.0.1:9: ConnectionError; is the emulator running? "
         "Start it with `sms-mock serve`, or give the server's URL with --url or SMS_MOCK_URL"),
        (("token", "--iam-url", "http://127.0.0.1:9"), 6,
         "sms-mock: cannot reach http://127.0.0.1:9: ConnectionError; is the emulator running? "
         "Start it with `sms-mock serve`, or give the server's URL with --iam-url or "
         "SMS_MOCK_IAM_URL"),
    ],
)  # fmt: skip
def test_errors_are_one_line_with_a_documented_exit_code(
    argv: tuple[str, ...], code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    got, _, err = run(*argv, capsys=capsys)
    assert got == code
    assert len(err.strip().splitlines()) <= 2  # a progress line may come before the error
    assert err.strip().splitlines()[-1].startswith(message)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param("<html>maintenance</html>",
                     "response GET /v3/tasks/sample-ready: field 'body': not JSON", id="not JSON"),
        pytest.param({"state": "PAUSED"}, "response task: field 'state': Must be one of: READY, ",
                     id="outside its enum"),
    ],
)  # fmt: skip
def test_an_answer_that_breaks_the_contract_exits_3(
    server: LiveServer, change: Any, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, token, _ = run("token", capsys=capsys)
    task = requests.get(
        f"{server.url}/v3/tasks/sample-ready", headers={"X-Auth-Token": token.strip()}, timeout=5
    ).json()
    # The emulator's own HTTP fault answers the task's read with a body no SMS answer has.
    body = change if isinstance(change, str) else {**task, **change}
    fault = {"match": {"method": "GET", "path": "/v3/tasks/sample-ready"}, "status": 200,
             "body": body}  # fmt: skip
    requests.post(f"{server.url}/_mock/faults", json=fault, timeout=5).raise_for_status()
    code, out, err = run("task", "show", "sample-ready", capsys=capsys)
    assert (code, out) == (3, "")
    (line,) = err.splitlines()
    assert line.startswith(f"sms-mock: contract violation: {message}")


def test_bad_usage_exits_2() -> None:
    result = subprocess.run(
        [SMS_MOCK, "task", "frobnicate"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_the_installed_command_reads_its_endpoint_from_the_environment(server: LiveServer) -> None:
    result = subprocess.run(
        [SMS_MOCK, "task", "list", "--state", "READY"],
        capture_output=True,
        text=True,
        timeout=30,
        env={"SMS_MOCK_URL": server.url, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "sample-ready" in result.stdout
