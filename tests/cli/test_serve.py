"""`sms-mock serve` as a user runs it: a real process, real HTTP on 127.0.0.1."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sms_mock import cli
from sms_mock.contracts.sms import TaskSchema
from tests.support.helpers import SEED_EXAMPLE
from tests.support.servers import SMS_MOCK, issue, serving, serving_both, stop


@pytest.mark.parametrize(
    "command",
    [(SMS_MOCK, "serve"), (sys.executable, "-m", "sms_mock.mock_server")],
    ids=["sms-mock serve", "python -m sms_mock.mock_server"],
)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_serve_prints_its_url_answers_and_stops_cleanly(command: tuple[str, ...], sig: int) -> None:
    with serving(*command) as (process, url):
        health = requests.get(f"{url}/_mock/health", timeout=5)
        assert health.json()["status"] == "ok"
        assert health.headers["Server"] == "waitress"
        assert requests.get(f"{url}/_mock/ui", timeout=5).status_code == 200
        code, out = stop(process, sig)
    assert code == 0
    summary, dashboard, stopped = out.strip().splitlines()
    assert summary.startswith("sms-mock loaded from the fixtures: 2 accounts, 3 projects")
    assert dashboard == f"sms-mock dashboard on {url}/_mock/ui"
    assert stopped == "sms-mock stopped"


def test_serve_finds_its_default_fixtures_outside_the_repository(tmp_path: Path) -> None:
    with serving(SMS_MOCK, "serve", cwd=tmp_path) as (process, url):
        token = issue(url)
        seed = requests.get(
            f"{url}/v3/tasks/{SEED_EXAMPLE['id']}", headers={"X-Auth-Token": token}, timeout=5
        )
        assert seed.status_code == 200
        stop(process, signal.SIGTERM)


def test_serve_with_a_manual_clock_stands_still() -> None:
    with serving(SMS_MOCK, "serve", "--clock", "manual") as (process, url):
        first = requests.get(f"{url}/_mock/clock", timeout=5).json()
        second = requests.get(f"{url}/_mock/clock", timeout=5).json()
        assert first["now_ms"] == second["now_ms"]
        assert first["mode"] == "manual"
        stop(process, signal.SIGTERM)


def refused(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`sms-mock serve ARGV` in process, for a refusal (it stops before serving): its exit code
    (argparse's too), standard output and standard error."""
    try:
        code = cli.main(["serve", *argv])
    except SystemExit as exc:  # argparse refused the command line
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_serve_reports_a_bad_fixtures_folder_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "bad.json").write_text('{"tasks": [{"state": "PAUSED"}]}')
    code, out, err = refused("--port", "0", "--fixtures", str(tmp_path), capsys=capsys)
    assert (code, out) == (2, "")
    assert re.fullmatch(r"sms-mock: fixtures: .*bad\.json: tasks\.0\.state: .*\n", err)


def test_the_seed_procedure_over_http() -> None:
    """Token, start a paused task, query it: the seed page's three calls."""
    with serving(SMS_MOCK, "serve") as (process, url):
        token = issue(url)
        headers = {"X-Auth-Token": token, "Content-Type": "application/json"}
        started = requests.post(
            f"{url}/v3/tasks/sample-abort/action",
            json={"operation": "start"},
            headers=headers,
            timeout=5,
        )
        assert started.status_code == 200
        task = requests.get(f"{url}/v3/tasks/sample-abort", headers=headers, timeout=5)
        assert TaskSchema().load(task.json())["state"] == "RUNNING"
        stop(process, signal.SIGTERM)


@pytest.mark.parametrize(("mode", "status"), [("off", 200), ("aksk", 401), ("any", 200)])
def test_serve_auth_decides_what_sms_calls_accept(mode: str, status: int) -> None:
    with serving(SMS_MOCK, "serve", "--auth", mode) as (process, url):
        token = issue(url)  # IAM issues tokens in every mode
        answer = requests.get(
            f"{url}/v3/tasks/sample-ready", headers={"X-Auth-Token": token}, timeout=5
        )
        assert answer.status_code == status, answer.text
        stop(process, signal.SIGTERM)


def test_serve_refuses_an_unknown_auth_mode(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = refused("--port", "0", "--auth", "maybe", capsys=capsys)
    assert code == 2
    assert "--auth: invalid choice: 'maybe'" in err


def test_serve_answers_keystone_discovery_on_its_iam_listener() -> None:
    with serving_both(SMS_MOCK, "serve") as (process, url, iam_url):
        assert iam_url != url
        keystone = requests.get(f"{iam_url}/", timeout=5).json()
        assert keystone["versions"]["values"][0]["links"][0]["href"] == f"{iam_url}/v3/"
        assert isinstance(requests.get(f"{url}/", timeout=5).json()["versions"], list)
        token = issue(iam_url)  # the token call on the IAM listener, used on the main one
        tasks = requests.get(f"{url}/v3/tasks", headers={"X-Auth-Token": token}, timeout=5)
        assert tasks.status_code == 200
        on_iam = requests.get(f"{iam_url}/v3/tasks", headers={"X-Auth-Token": token}, timeout=5)
        assert (on_iam.status_code, on_iam.json()["error_code"]) == (404, "APIGW.0101")
        catalog = requests.get(
            f"{url}/v3/auth/catalog", headers={"X-Auth-Token": token}, timeout=5
        ).json()["catalog"]
        urls = {entry["type"]: entry["endpoints"][0]["url"] for entry in catalog}
        assert urls == {"iam": f"{iam_url}/v3", "sms": url}
        code, out = stop(process, signal.SIGTERM)
    assert (code, out.strip().splitlines()[-1]) == (0, "sms-mock stopped")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--port", "sms-mock: the API port 127.0.0.1:{port} is taken (Address already in use): "
                   "choose another with --port or SMS_MOCK_PORT (0 picks a free one)"),
        ("--iam-port", "sms-mock: the IAM port 127.0.0.1:{port} is taken (Address already in "
                       "use): choose another with --iam-port or SMS_MOCK_IAM_PORT (0 picks a "
                       "free one)"),
    ],
)  # fmt: skip
def test_a_busy_port_exits_1_naming_which_and_the_option_to_change(
    option: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        ports = ["--port", str(busy)] if option == "--port" else ["--port", "0", option, str(busy)]
        code, out, err = refused(*ports, capsys=capsys)
    assert (code, out) == (1, "")
    assert err == message.format(port=busy) + "\n"


def test_a_stop_sent_as_soon_as_the_first_line_is_read_stops_it_cleanly() -> None:
    # A script that waits for the URL may stop the server at once, while it still prints its
    # other lines: the stop is handled like any other, never a kill or a lost last line.
    for _ in range(5):
        process = subprocess.Popen(
            [SMS_MOCK, "serve", "--port", "0", "--scenario", "failed-at-migrate-40"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            assert process.stdout.readline().startswith("sms-mock listening on ")
            code, out = stop(process, signal.SIGTERM)
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=10)
        assert (code, out.strip().splitlines()[-1]) == (0, "sms-mock stopped")


def test_serve_names_what_it_loaded_scenario_task_ids_included() -> None:
    with serving(SMS_MOCK, "serve", "--scenario", "failed-at-migrate-40") as (process, _url):
        # The start-up lines end with the dashboard's address: a stop sent before it would
        # race them (a busy machine once printed only "stopped").
        assert process.stdout is not None
        lines: list[str] = []
        for line in iter(process.stdout.readline, ""):
            lines.append(line.rstrip("\n"))
            if line.startswith("sms-mock dashboard on "):
                break
        code, out = stop(process, signal.SIGTERM)
    lines += out.strip().splitlines()
    assert lines[0] == (
        "sms-mock loaded from the fixtures: 2 accounts, 3 projects, 3 users, 7 tasks, "
        "10 source servers, 1 template, 16 scenarios to load"
    )
    match = re.fullmatch(
        r"sms-mock scenario failed-at-migrate-40 in cn-north-4: tasks file-01 \((\w+)\)", lines[1]
    )
    assert match, lines[1]
    assert (code, lines[-1]) == (0, "sms-mock stopped")


def test_serve_log_requests_prints_a_line_a_request() -> None:
    with serving(SMS_MOCK, "serve", "--log-requests") as (process, url):
        requests.get(f"{url}/_mock/health", timeout=5)
        requests.get(f"{url}/v3/nowhere", timeout=5)
        fault = requests.post(
            f"{url}/_mock/faults", json={"match": {"path": "/v3/tasks"}, "status": 503}, timeout=5
        ).json()
        requests.get(f"{url}/v3/tasks", timeout=5)
        assert process.stdout is not None
        logged = [process.stdout.readline().strip() for _ in range(6)]
        stop(process, signal.SIGTERM)
    assert logged[1].startswith("sms-mock dashboard on "), logged
    assert re.fullmatch(r"GET /_mock/health 200 \d+\.\dms", logged[2]), logged
    assert re.fullmatch(r"GET /v3/nowhere 404 \d+\.\dms", logged[3]), logged
    assert re.fullmatch(rf"GET /v3/tasks 503 \d+\.\dms \[{fault['id']}\]", logged[5]), logged


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--port", "99999"], "argument --port: 99999 is not a port: give 0 to 65535"),
        (["--iam-port", "-1"], "argument --iam-port: -1 is not a port: give 0 to 65535"),
        (["--host", "not-a-host.invalid"], "--host not-a-host.invalid does not resolve"),
    ],
)
def test_serve_refuses_a_bad_port_or_host_in_one_line(
    option: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = refused(*option, capsys=capsys)
    assert (code, out) == (2, "")
    assert message in err.strip().splitlines()[-1]


def test_serve_refuses_a_fixtures_folder_with_nothing_in_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("not fixtures", encoding="utf-8")
    code, _, err = refused("--port", "0", "--fixtures", str(tmp_path), capsys=capsys)
    assert code == 2
    assert err.strip() == (
        f"sms-mock: fixtures: {tmp_path}: has none of account.json, tasks/, sources/, "
        "templates/, scenarios/: not a fixtures folder"
    )
