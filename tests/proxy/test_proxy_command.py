"""`sms-mock proxy` as a user runs it: its first line is its URL, violations are lines on
standard error, the recording is a complete HAR file while it runs and after SIGTERM, and a bad
option, credentials file or recording path stops it at once with exit 2 and one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sms_mock.cli import main
from sms_mock.client import SmsClient
from sms_mock.credentials import CredentialsError, load_credentials
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.proxy.har_check import assert_har_1_2
from tests.support.accounts import AK, PROJECT_ID, SK
from tests.support.servers import SMS_MOCK


@pytest.fixture(scope="module")
def upstream() -> Iterator[LiveServer]:
    with LiveServer(Config(clock="manual")) as server:
        yield server


def test_the_command_forwards_reports_and_records_until_sigterm(
    upstream: LiveServer, tmp_path: Path
) -> None:
    har = tmp_path / "session.har"
    env = {**os.environ, "HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}
    command = [SMS_MOCK, "proxy", "--upstream", upstream.url, "--port", "0", "--record", str(har)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("sms-mock proxy listening on http://127.0.0.1:"), first
        url = first.rsplit(" ", 1)[1]
        with SmsClient(url, ak="CALLERAK", sk="caller-sk", project_id=PROJECT_ID) as client:
            assert client.get_task("sample-ready").state == "READY"
        wrong = requests.get(f"{url}/v3/tasks/not!an-id", timeout=10)
        assert wrong.status_code == 401  # no credential: the upstream's own answer
        # Complete while the proxy runs: a kill now loses nothing.
        assert len(assert_har_1_2(json.loads(har.read_text()))) == 2
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        # Read through the same buffered streams as the first line (communicate() would read
        # the descriptors, past what readline() already buffered).
        out = first + "\n" + process.stdout.read()
        err = process.stderr.read()  # type: ignore[union-attr]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0
    lines = out.splitlines()
    assert f"sms-mock proxy forwarding to {upstream.url}" in lines
    assert "sms-mock proxy re-signs AK/SK requests with the AK MOCK..." in lines
    assert f"sms-mock proxy recording to {har}" in lines
    assert lines[-1] == "sms-mock proxy stopped"
    (violation,) = err.splitlines()
    assert violation.startswith("sms-mock proxy: violation: show_task request task_id: ")
    assert SK not in out + err
    entries = assert_har_1_2(json.loads(har.read_text()))
    assert [e["response"]["status"] for e in entries] == [200, 401]
    assert oct(har.stat().st_mode & 0o777) == "0o600"


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["proxy", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--upstream", "ftp://example.com"], "--upstream must be an http:// or https:// URL"),
        (["--upstream", "http://x", "--iam-upstream", "iam"], "--iam-upstream must be an http"),
        (["--upstream", "http://x", "--host", "0.0.0.0"], "is not loopback: give --admin-token"),
        (["--upstream", "http://x", "--host", "no-such-host.invalid"], "does not resolve"),
        (["--upstream", "http://x", "--record", "/no/such/folder/x.har"], "--record /no/such"),
    ],
)
def test_a_bad_option_stops_it_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    assert says in _refused(capsys, *args)


def test_bad_credentials_stop_it_naming_the_file_or_the_variable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = tmp_path / "credentials.json"
    base = ["--upstream", "http://127.0.0.1:9", "--credentials", str(given)]
    assert "No such file" in _refused(capsys, *base)
    given.write_text('{"ak": "A", "sk": "S", "region": "x"}')
    assert "unknown key region" in _refused(capsys, *base)
    given.write_text('{"ak": "A"}')
    assert "give both ak and sk" in _refused(capsys, *base)
    given.write_text("[1]")
    assert "must be a JSON object" in _refused(capsys, *base)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "A")
    monkeypatch.delenv("HUAWEICLOUD_SDK_SK", raising=False)
    said = _refused(capsys, "--upstream", "http://127.0.0.1:9")
    assert "give both HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK" in said


def test_credentials_come_from_a_file_or_the_environment_never_mixed(tmp_path: Path) -> None:
    given = tmp_path / "credentials.json"
    given.write_text(
        json.dumps({"ak": "FILEAK", "sk": "file-sk", "username": "u", "password": "p"})
    )
    environ = {
        "HUAWEICLOUD_SDK_AK": "ENVAK",
        "HUAWEICLOUD_SDK_SK": "env-sk",
        "SMS_MOCK_DOMAIN": "d",
    }
    from_file = load_credentials(given, environ)
    assert (from_file.ak, from_file.sk, from_file.domain) == ("FILEAK", "file-sk", None)
    from_env = load_credentials(None, environ)
    assert (from_env.ak, from_env.sk, from_env.domain, from_env.has_password) == (
        "ENVAK",
        "env-sk",
        "d",
        False,
    )
    assert "file-sk" not in repr(from_file) and "p'" not in repr(from_file)
    with pytest.raises(CredentialsError, match="password must be a string"):
        given.write_text('{"username": "u", "password": 5}')
        load_credentials(given)
