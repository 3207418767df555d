"""`sms-mock serve` options that guard the control plane and bound the journal."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests

from tests.support.assertions import error_body
from tests.support.servers import SMS_MOCK, serving

JSON = {"Content-Type": "application/json"}  # every control-plane POST says it


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1", "::"])
def test_off_loopback_serve_refuses_to_start_without_an_admin_token(host: str) -> None:
    result = subprocess.run(
        [SMS_MOCK, "serve", "--host", host, "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"sms-mock: --host {host} is not loopback: give --admin-token, --admin-token-file or "
        "SMS_MOCK_ADMIN_TOKEN\n"
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


def test_a_journal_size_below_one_is_refused() -> None:
    result = subprocess.run(
        [SMS_MOCK, "serve", "--port", "0", "--journal-size", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stderr) == (
        2,
        "sms-mock: --journal-size must be at least 1\n",
    )


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


def test_an_empty_admin_token_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    result = subprocess.run(
        [SMS_MOCK, "serve", "--port", "0", "--admin-token-file", str(empty)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stderr) == (
        2,
        f"sms-mock: --admin-token-file {empty} is empty\n",
    )
