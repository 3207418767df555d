"""README says what the emulator does: its tables are the tests' tables, its walk-through runs."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from sms_mock.contracts.error_codes import CATALOGUE
from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.support import lifecycle_table as table
from tests.support.helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
WAIT_S = 30  # a bound for what takes well under a second on an idle machine


def section(name: str) -> str:
    match = re.search(rf"<!-- {name} -->\n(.*?)\n<!-- /{name} -->", README, re.S)
    assert match, f"README has no {name} section"
    return match.group(1)


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("lifecycle:phases", table.phases_markdown),
        ("lifecycle:operations", table.operations_markdown),
        ("lifecycle:wrong-state", table.wrong_state_markdown),
        ("lifecycle:durations", table.durations_markdown),
        ("lifecycle:sources", table.sources_markdown),
    ],
)
def test_readme_prints_the_lifecycle_tables_the_tests_check(
    name: str, render: Callable[[], str]
) -> None:
    assert section(name) == render()


@pytest.mark.parametrize(
    "code",
    ["APIGW.0101", "APIGW.0201", "APIGW.0301", "APIGW.0302", "IAM.0007", "IAM.0067",
     *(row.code for row in CATALOGUE)],
)  # fmt: skip
def test_readme_error_table_names_every_code(code: str) -> None:
    # The catalogue's own block is checked whole in tests/test_error_codes.py.
    errors = README.split("### Errors", 1)[1].split("## The lifecycle", 1)[0]
    assert f"`{code}`" in errors


@pytest.mark.skipif(shutil.which("curl") is None, reason="the walk-through needs curl")
def test_the_readme_walkthrough_works_as_printed() -> None:
    script = re.search(r"<!-- walkthrough -->\n```bash\n(.*?)```", README, re.S)
    assert script
    with LiveServer(Config(clock="manual")) as server:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script.group(1)],
            env={"SMS_MOCK_URL": server.url, "PATH": "/usr/bin:/bin:/usr/local/bin"},
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 0, result.stderr
    started, shown = result.stdout.splitlines()
    assert started == "{}"
    assert '"id":"sample-abort"' in shown
    assert '"state":"RUNNING"' in shown


@pytest.mark.skipif(shutil.which("curl") is None, reason="the example needs curl")
def test_the_readme_resources_example_works_as_printed() -> None:
    script = section("resources-example").removeprefix("```bash\n").removesuffix("```")
    with LiveServer(Config(clock="manual")) as server:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            env={"SMS_MOCK_URL": server.url, "PATH": "/usr/bin:/bin:/usr/local/bin"},
            capture_output=True,
            text=True,
            timeout=30,
        )
        sources = server.emulator.sms.every_source()
    assert result.returncode == 0, result.stderr
    disks, state, volume_type, default_migproject = result.stdout.splitlines()
    assert disks.startswith('"init_target_server":{"disks":[{'), disks
    assert '"name":"/dev/vda"' in disks
    assert state == '"state":"waiting"'
    assert volume_type == '"volumetype":"SAS"'
    assert default_migproject == '"name":"SystemProject"'
    web = [row["source"] for row in sources if row["source"]["name"] == "web-01"]
    assert len(web) == 1 and web[0]["current_task"]["vm_template_id"] == "tpl-default"


def test_the_readme_client_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    client_part = README.split("## The reference client", 1)[1]
    example = re.search(r"```python\n(.*?)```", client_part, re.S)
    assert example
    # A manual clock, moved by the test once the server has answered the first poll: that poll
    # sees the resumed task RUNNING however slow the machine, and a later one MIGRATE_SUCCESS.
    with LiveServer(Config(clock="manual")) as server, pointed_at(server.url):
        mover = threading.Thread(target=_advance_after_the_first_poll, args=(server.url,))
        mover.start()
        assert "interval=1," in example.group(1)
        code = example.group(1).replace("interval=1", "interval=0.05, timeout=WAIT_S")
        try:
            exec(compile(code, "README.md", "exec"), {"WAIT_S": WAIT_S})
        finally:
            mover.join(timeout=WAIT_S)
    assert not mover.is_alive()
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("RUNNING")
    assert printed[-1] == "MIGRATE_SUCCESS None"


def _advance_after_the_first_poll(url: str) -> None:
    """Wait, by polling the journal, until the server has answered a read of a task, then move
    the clock an hour: past the end of any task the example resumes."""
    deadline = time.monotonic() + WAIT_S
    query = {"method": "GET", "path": "/v3/tasks/*", "status": 200}
    while time.monotonic() < deadline:
        journal = requests.get(f"{url}/_mock/requests", params=query, timeout=WAIT_S).json()
        if journal["requests"]:
            moved = requests.post(
                f"{url}/_mock/clock/advance", json={"seconds": 3600}, timeout=WAIT_S
            )
            assert moved.status_code == 200, moved.text
            return
        time.sleep(0.01)


@contextlib.contextmanager
def pointed_at(url: str, iam_url: str | None = None) -> Any:
    """The examples read SMS_MOCK_URL and SMS_MOCK_IAM_URL, as a user's shell sets them."""
    saved = {k: os.environ.get(k) for k in ("SMS_MOCK_URL", "SMS_MOCK_IAM_URL")}
    os.environ["SMS_MOCK_URL"] = url
    os.environ["SMS_MOCK_IAM_URL"] = iam_url or url
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_python_block(code: str, url: str, iam_url: str | None = None) -> list[str]:
    """A README block run as printed, against the emulator at `url` (and its IAM listener)."""
    output = io.StringIO()
    with pointed_at(url, iam_url), contextlib.redirect_stdout(output):
        exec(compile(code, "README.md", "exec"), {})
    return output.getvalue().splitlines()


def python_block(name: str) -> str:
    match = re.search(rf"<!-- {name} -->\n```python\n(.*?)```\n<!-- /{name} -->", README, re.S)
    assert match, f"README has no {name} block"
    return match.group(1)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_readme_sdk_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    from huaweicloudsdkcore.auth.credentials import Credentials

    # The example sets the SDK's IAM endpoint, and the SDK caches project ids per process.
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", "")
    monkeypatch.setattr(Credentials, "_CACHE", {})
    with LiveServer(Config(clock="manual")) as server:
        printed = run_python_block(python_block("sdk-example"), server.url)
    assert printed == [
        "RUNNING",
        "1",
        "401 APIGW.0301 Incorrect IAM authentication information: verify aksk signature fail",
    ]


def test_the_readme_keystone_example_runs() -> None:
    with LiveServer(Config(clock="manual")) as server:
        printed = run_python_block(python_block("keystone-example"), server.url)
    assert printed == [
        server.url,
        "sample-ready READY",
        "{'count': 0, 'tasks': []}",
        "aa672d6a0df5c7904ce88d2f516d242d",
    ]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_readme_iam_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    from huaweicloudsdkcore.auth.credentials import Credentials

    monkeypatch.setattr(Credentials, "_CACHE", {})
    with LiveServer(Config(clock="manual")) as server:
        printed = run_python_block(python_block("iam-example"), server.url, server.iam_url)
    assert printed == ["v3.6", "[('iam', '*'), ('sms', 'cn-north-4')]", "ready-web-01"]


def test_the_readme_iam_table_lists_every_iam_operation_of_the_openapi_document() -> None:
    from sms_mock.contracts.openapi import openapi_document

    iam_section = README.split("## IAM\n", 1)[1].split("\n## ", 1)[0]
    documented = {
        operation["operationId"]
        for item in openapi_document()["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and operation.get("tags") == ["IAM"]
    }
    documented.discard("keystone_check_token")  # HEAD: not an SDK method
    listed = set(re.findall(r"`((?:keystone|create)_[a-z_]+)`", iam_section))
    assert documented <= listed, sorted(documented - listed)


def test_the_readme_aksk_client_example_runs() -> None:
    client_part = README.split("**With an AK/SK instead of a password**", 1)[1]
    example = re.search(r"```python\n(.*?)```", client_part, re.S)
    assert example
    with LiveServer(Config(clock="manual")) as server:
        assert run_python_block(example.group(1), server.url) == ["READY"]


def _blocks_in_order() -> list[tuple[str, str]]:
    """Every example a user runs, as README orders them: (kind, code)."""
    found = []
    for match in re.finditer(r"```(bash|python)\n(.*?)```", README, re.S):
        kind, code = match.groups()
        runnable = "make " not in code and "<id>" not in code and "sms-mock serve" not in code
        bash = kind == "bash" and ("$SMS" in code or "sms-mock " in code) and runnable
        if bash or (kind == "python" and "SMS_MOCK_URL" in code):
            found.append((kind, code))
    return found


def test_the_readme_examples_run_in_their_order_against_one_server(tmp_path: Path) -> None:
    """A new user's session: one `make serve` (here a fast real clock), every example in turn,
    each reading SMS_MOCK_URL; none depends on what an earlier one did to the samples."""
    blocks = _blocks_in_order()
    kinds = [kind for kind, _ in blocks]
    assert kinds.count("python") >= 5 and kinds.count("bash") >= 3, kinds
    sms_mock_bin = str(REPO / ".venv" / "bin")
    with LiveServer(Config(clock="real", speed=50)) as server:
        env = {
            "SMS_MOCK_URL": server.url,
            "SMS_MOCK_IAM_URL": server.iam_url,
            "PATH": f"{sms_mock_bin}:{os.path.dirname(shutil.which('sms-mock') or '')}:"
            "/usr/bin:/bin:/usr/local/bin",
            "HOME": os.environ.get("HOME", "/tmp"),
        }
        for index, (kind, code) in enumerate(blocks):
            if kind == "bash":
                result = subprocess.run(
                    ["bash", "-euo", "pipefail", "-c", code],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=60,
                    cwd=tmp_path,  # the files they save (a snapshot) land there
                )
                assert result.returncode == 0, (index, code[:200], result.stderr)
            else:
                # Polls as fast as the clock runs, and a wait that ends by itself.
                code = code.replace("interval=1", f"interval=0.05, timeout={WAIT_S}")
                printed = run_python_block(code, server.url, server.iam_url)
                assert printed, (index, code[:200])


def test_the_readme_qa_session_needs_no_curl(tmp_path: Path) -> None:
    script = section("qa-example").removeprefix("```bash\n").removesuffix("```")
    assert "curl" not in script
    sms_mock_bin = os.path.dirname(shutil.which("sms-mock") or str(REPO / ".venv" / "bin" / "x"))
    with LiveServer(Config(clock="manual")) as server:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            env={"SMS_MOCK_URL": server.url, "PATH": f"{sms_mock_bin}:/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        shows = [line for line in lines if line.startswith("[")]  # `task show`'s progress
        assert "40% MIGRATE_LINUX_FILE MIGRATE_FAIL" in shows[0], lines
        assert "80% MIGRATE_LINUX_FILE MIGRATE_FAIL" in shows[1], lines
        assert any(line.startswith("POST /v3/tasks/") and " 200 " in line for line in lines)
        assert lines[-1].startswith("restored: ")


@pytest.mark.parametrize("name", ["create-file", "create-block", "create-windows"])
def test_the_readme_create_bodies_create_tasks(client: Any, token: str, name: str) -> None:
    body = json.loads(section(name).removeprefix("```json\n").removesuffix("```"))
    response = client.post("/v3/tasks", json=body, headers={"X-Auth-Token": token})
    assert response.status_code == 200, response.get_json()
