"""`sms-mock serve` options that guard the control plane and bound the journal, and every option
from its SMS_MOCK_* variable (a flag wins)."""

from __future__ import annotations

import argparse
import io
import signal
from itertools import takewhile
from pathlib import Path

import pytest
import requests

from sms_mock import cli
from sms_mock.mock_server.serving.command import SERVE_OPTIONS, settle
from tests.support.assertions import error_body
from tests.support.servers import SMS_MOCK, serving, stop

JSON = {"Content-Type": "application/json"}  # every control-plane POST says it


def refused(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`sms-mock serve ARGV` in process, for a refusal (it stops before binding anything): its
    exit code, standard output and standard error. A serve that starts instead fails the test
    after a few seconds, rather than serving for ever."""

    def started(signum: int, frame: object) -> None:
        raise AssertionError(f"sms-mock serve {' '.join(argv)} started instead of refusing")

    before = signal.signal(signal.SIGALRM, started)
    signal.alarm(10)
    try:
        out = io.StringIO()
        code = cli.main(["serve", *argv], out=out)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)
    captured = capsys.readouterr()
    return code, out.getvalue() + captured.out, captured.err


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1", "::"])
def test_off_loopback_serve_refuses_to_start_without_an_admin_token(
    host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert refused("--host", host, "--port", "0", capsys=capsys) == (
        2,
        "",
        f"sms-mock: --host {host} is not loopback: give --admin-token, --admin-token-file or "
        "SMS_MOCK_ADMIN_TOKEN\n",
    )


def test_with_an_admin_token_the_control_plane_needs_the_header() -> None:
    with serving(SMS_MOCK, "serve", "--admin-token", "s3cret") as (process, url):
        refused = requests.post(f"{url}/_mock/reset", timeout=5)
        error_body(refused, 401, "MOCK.0401")
        allowed = requests.post(
            f"{url}/_mock/reset", headers={"X-Mock-Admin-Token": "s3cret", **JSON}, timeout=5
        )
        assert allowed.status_code == 200
        process.terminate()


def test_a_journal_size_below_one_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = refused("--port", "0", "--journal-size", "0", capsys=capsys)
    assert (code, err) == (2, "sms-mock: --journal-size must be at least 1\n")


@pytest.mark.parametrize("source", ["env", "file"])
def test_the_admin_token_can_stay_out_of_the_process_list(tmp_path: Path, source: str) -> None:
    token_file = tmp_path / "admin-token"
    token_file.write_text("s3cret\n", encoding="utf-8")
    token_file.chmod(0o600)
    extra, env = (
        (["--admin-token-file", str(token_file)], None)
        if source == "file"
        else ([], {"SMS_MOCK_ADMIN_TOKEN": "s3cret"})
    )
    with serving(SMS_MOCK, "serve", *extra, env=env) as (process, url):
        error_body(requests.post(f"{url}/_mock/reset", timeout=5), 401, "MOCK.0401")
        allowed = requests.post(
            f"{url}/_mock/reset", headers={"X-Mock-Admin-Token": "s3cret", **JSON}, timeout=5
        )
        assert allowed.status_code == 200
        command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes()
        assert b"s3cret" not in command_line
        process.terminate()


def test_an_empty_admin_token_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    code, _, err = refused("--port", "0", "--admin-token-file", str(empty), capsys=capsys)
    assert (code, err) == (2, f"sms-mock: --admin-token-file {empty} is empty\n")


# --- every option from the environment ----------------------------------------------------------


def settled(*argv: str, **environ: str) -> argparse.Namespace:
    args = cli.build_parser().parse_args(["serve", *argv])
    settle(args, environ)
    return args


def test_each_option_has_its_variable_and_help_names_it_beside_the_option() -> None:
    lines = _serve_help().splitlines()
    for option in SERVE_OPTIONS:
        # The option's line (`  --port PORT  port to bind...`) and its help's lines after it.
        at = next(i for i, line in enumerate(lines) if line.split(" ", 3)[2:3] == [option.flag])
        entry = [lines[at], *takewhile(lambda line: line.startswith(" " * 8), lines[at + 1 :])]
        assert f"${option.env})" in " ".join(entry), option.flag
    named = {o.flag: o.env for o in SERVE_OPTIONS}
    assert {named[f] for f in ("--host", "--port", "--iam-port", "--scenario", "--clock",
                               "--speed", "--state-file")} == {
        "SMS_MOCK_HOST", "SMS_MOCK_PORT", "SMS_MOCK_IAM_PORT", "SMS_MOCK_SCENARIOS",
        "SMS_MOCK_CLOCK", "SMS_MOCK_SPEED", "SMS_MOCK_STATE_FILE",
    }  # fmt: skip


def _serve_help() -> str:
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return subparsers.choices["serve"].format_help()


def test_variables_give_the_defaults_and_flags_win() -> None:
    environ = {
        "SMS_MOCK_HOST": "localhost", "SMS_MOCK_PORT": "9000", "SMS_MOCK_IAM_PORT": "9100",
        "SMS_MOCK_SCENARIOS": "ready, failed-at-migrate-40", "SMS_MOCK_CLOCK": "manual",
        "SMS_MOCK_SPEED": "2.5", "SMS_MOCK_STATE_FILE": "state.db",
        "SMS_MOCK_FIXTURES": "one:two", "SMS_MOCK_LOG_REQUESTS": "yes",
        "SMS_MOCK_NO_DEFAULT_FIXTURES": "off", "SMS_MOCK_THREADS": "8",
        "SMS_MOCK_ALLOWED_HOSTS": "qa-box,sms-mock",
    }  # fmt: skip
    args = settled(**environ)
    assert (args.host, args.port, args.iam_port, args.clock, args.speed) == (
        "localhost", 9000, 9100, "manual", 2.5
    )  # fmt: skip
    assert args.scenario == ["ready", "failed-at-migrate-40"]
    assert (args.state_file, args.fixtures) == (Path("state.db"), [Path("one"), Path("two")])
    assert (args.log_requests, args.no_default_fixtures, args.threads) == (True, False, 8)
    assert args.allowed_host == ["qa-box", "sms-mock"]
    flags = settled("--port", "0", "--clock", "real", "--scenario", "syncing", **environ)
    assert (flags.port, flags.clock, flags.scenario) == (0, "real", ["syncing"])
    assert settled().port == 8080 and settled().scenario == []  # neither: the default


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SMS_MOCK_PORT", "http", "sms-mock: SMS_MOCK_PORT: 'http' is not a port number"),
        ("SMS_MOCK_IAM_PORT", "70000", "sms-mock: SMS_MOCK_IAM_PORT: 70000 is not a port"),
        ("SMS_MOCK_CLOCK", "fast", "sms-mock: SMS_MOCK_CLOCK: 'fast' is not one of real, manual"),
        ("SMS_MOCK_SPEED", "quick", "sms-mock: SMS_MOCK_SPEED: 'quick' is not a number"),
        ("SMS_MOCK_SPEED", "0", "sms-mock: SMS_MOCK_SPEED must be from"),
        ("SMS_MOCK_THREADS", "0", "sms-mock: SMS_MOCK_THREADS must be at least 1"),
        ("SMS_MOCK_LOG_REQUESTS", "maybe", "sms-mock: SMS_MOCK_LOG_REQUESTS: 'maybe' is not 1/0"),
        ("SMS_MOCK_SCENARIOS", "no-such", "sms-mock: SMS_MOCK_SCENARIOS: no scenario 'no-such'"),
        ("SMS_MOCK_HOST", "0.0.0.0", "sms-mock: SMS_MOCK_HOST 0.0.0.0 is not loopback"),
    ],
)
def test_a_bad_variable_stops_serve_in_one_line_naming_it(
    variable: str,
    value: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(variable, value)
    code, out, err = refused(capsys=capsys)
    (line,) = err.splitlines()
    assert (code, out) == (2, "")
    assert line.startswith(message), line


def test_serve_runs_from_its_variables(tmp_path: Path) -> None:
    environ = {
        "SMS_MOCK_CLOCK": "manual",
        "SMS_MOCK_SCENARIOS": "ready",
        "SMS_MOCK_PORT": "1",
    }  # fmt: skip  (--port 0, given by serving(), wins)
    with serving(SMS_MOCK, "serve", env=environ) as (process, url):
        assert requests.get(f"{url}/_mock/clock", timeout=5).json()["mode"] == "manual"
        _, out = stop(process, signal.SIGTERM)
    assert "sms-mock scenario ready in cn-north-4: tasks web-01 (" in out
