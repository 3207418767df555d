"""Every example of README and the site runs as printed (issue 25, item 3), and the site's
reference pages say what the code does.

The examples a reader runs against a server of their own run here against one server, in page
order, each twice: the second run must print what the first did (ids and times aside), since
each example that changes a task loads a scenario of its own first. The examples that start
their own emulator (the pytest plugin, unittest, `sms_mock.serve`) run in one pytest session of
a project outside the repository.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.support import docs
from tests.support.helpers import REPO

WAIT_S = 30  # a bound for what takes well under a second on an idle machine
BIN = REPO / ".venv" / "bin"
EXAMPLES = docs.every_example()
SHARED = [example for example in EXAMPLES if not example.not_run and not example.own_server]
OWN_SERVER = [example for example in EXAMPLES if not example.not_run and example.own_server]
# What differs between two runs of the same example: fresh ids, times, durations, ports, and
# how far a live task got when it was read.
VARYING = [
    (re.compile(r"\b[0-9a-f]{32}\b"), "<id>"),
    (re.compile(r"_\d+\b"), ""),  # a second load's names: web-01_2
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?Z?"), "<time>"),
    (re.compile(r"\b\d{13}\b"), "<ms>"),
    (re.compile(r"\b\d+(\.\d+)? ?(ms|s)\b"), "<duration>"),
    (re.compile(r"\d+m\d\ds"), "<duration>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}"), "<uuid>"),
    # A live task's progress, speed and times on the real clock, a progress bar's length.
    (re.compile(r"\d+(\.\d+)?"), "<n>"),
    (re.compile(r"#+\.*"), "<bar>"),
]


def _normal(text: str) -> str:
    for pattern, replacement in VARYING:
        text = pattern.sub(replacement, text)
    # A poll printed once a poll: how many polls saw a task running depends on the machine.
    lines = text.splitlines()
    return "\n".join(line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1])


@contextlib.contextmanager
def _environment(server: LiveServer) -> Any:
    """What the reader's shell has: the server's URLs; an example's own changes undone."""
    saved = dict(os.environ)
    os.environ["SMS_MOCK_URL"] = server.url
    os.environ["SMS_MOCK_IAM_URL"] = server.iam_url
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _run_bash(code: str, server: LiveServer, cwd: Path) -> str:
    if "--interval" not in code:  # polls as fast as the clock runs
        code = code.replace(" --wait", " --wait --interval 0.1")
    sms_mock = os.path.dirname(shutil.which("sms-mock") or str(BIN / "sms-mock"))
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code],
        env={
            "SMS_MOCK_URL": server.url,
            "SMS_MOCK_IAM_URL": server.iam_url,
            "PATH": f"{BIN}:{sms_mock}:/usr/bin:/bin:/usr/local/bin",
            "HOME": os.environ.get("HOME", "/tmp"),
        },
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,  # the files an example saves (a snapshot, a report) land there
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _run_python(code: str, server: LiveServer) -> str:
    from huaweicloudsdkcore.auth.credentials import Credentials

    # Polls as fast as the clock runs, and a wait that ends by itself.
    code = code.replace("interval=1,", f"interval=0.05, timeout={WAIT_S},")
    output = io.StringIO()
    Credentials._CACHE = {}  # the SDK caches project ids per process
    with (
        _environment(server),
        contextlib.redirect_stdout(output),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK's own
        exec(compile(code, "example", "exec"), {"__name__": "example"})
    return output.getvalue()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[docs.Example, tuple[str, str]]:
    """Each shared example's output, on its first run and its second, against one server (a
    real clock 10 times faster than the wall's, as a reader's `make serve` but quicker)."""
    cwd = tmp_path_factory.mktemp("reader")
    found: dict[docs.Example, tuple[str, str]] = {}
    by_code: dict[str, tuple[str, str]] = {}  # README's tour is Getting started's too
    with LiveServer(Config(clock="real", speed=10)) as server:
        for example in SHARED:
            if example.code in by_code:
                found[example] = by_code[example.code]
                continue
            runs = []
            for _ in range(2):
                try:
                    if example.language == "bash":
                        runs.append(_run_bash(example.code, server, cwd))
                    else:
                        runs.append(_run_python(example.code, server))
                except BaseException as exc:  # name the example that failed
                    raise AssertionError(f"{example}: {exc}") from exc
            found[example] = by_code[example.code] = (runs[0], runs[1])
    return found


def _output(outputs: dict[docs.Example, tuple[str, str]], where: str, name: str) -> list[str]:
    (first,) = [runs[0] for example, runs in outputs.items() if example.where == where
                and example.name == name]  # fmt: skip
    return first.splitlines()


def test_the_examples_are_found_and_each_that_does_not_run_says_why() -> None:
    assert len(SHARED) >= 15 and len(OWN_SERVER) >= 6, (len(SHARED), len(OWN_SERVER))
    for example in EXAMPLES:
        assert example.not_run is None or len(example.not_run) > 10, example


def test_every_example_runs_twice_and_prints_the_same(
    outputs: dict[docs.Example, tuple[str, str]],
) -> None:
    assert set(outputs) == set(SHARED)
    for example, (first, second) in outputs.items():
        assert _normal(first) == _normal(second), (str(example), first, second)


def test_the_curl_walkthrough_starts_a_task_of_its_own(
    outputs: dict[docs.Example, tuple[str, str]],
) -> None:
    started, shown = _output(outputs, "docs/clients.md", "walkthrough")
    assert started == "{}"
    assert '"state":"RUNNING"' in shown or '"state":"MIGRATE_SUCCESS"' in shown, shown


def test_the_sdk_example_prints_what_it_says(outputs: dict[docs.Example, tuple[str, str]]) -> None:
    assert _output(outputs, "docs/clients.md", "sdk-example") == [
        "RUNNING",
        "1",
        "401 APIGW.0301 Incorrect IAM authentication information: verify aksk signature fail",
    ]


def test_the_keystone_and_iam_examples_print_what_they_say(
    outputs: dict[docs.Example, tuple[str, str]],
) -> None:
    keystone = _output(outputs, "docs/clients.md", "keystone-example")
    assert keystone[1:] == [
        "sample-ready READY",
        "{'count': 0, 'tasks': []}",
        "aa672d6a0df5c7904ce88d2f516d242d",
    ]
    assert keystone[0].startswith("http://127.0.0.1:")
    assert _output(outputs, "docs/iam.md", "iam-example") == [
        "v3.6",
        "[('iam', '*'), ('sms', 'cn-north-4')]",
        "ready-web-01",
    ]


def test_the_qa_session_needs_no_curl_and_fails_where_it_says(
    outputs: dict[docs.Example, tuple[str, str]],
) -> None:
    assert "curl" not in docs.marked(docs.page("command-line.md"), "qa-example")
    lines = _output(outputs, "docs/command-line.md", "qa-example")
    shows = [line for line in lines if line.startswith("[")]  # `task show`'s progress
    assert "40% MIGRATE_LINUX_FILE MIGRATE_FAIL" in shows[0], lines
    assert "80% MIGRATE_LINUX_FILE MIGRATE_FAIL" in shows[1], lines
    assert any(line.startswith("POST /v3/tasks/") and " 200 " in line for line in lines)
    assert lines[-1].startswith("restored: ")


def test_the_task_fault_example_fails_the_task_where_it_says(
    outputs: dict[docs.Example, tuple[str, str]],
) -> None:
    started, shown = _output(outputs, "docs/control-plane.md", "task-fault-example")
    assert started == "{}"
    assert shown == (
        'MIGRATE_FAIL {"error_code":"SMS.6531","error_msg":"The boot partition does not exist."}'
    )


def test_the_resources_example_prints_what_it_says(
    outputs: dict[docs.Example, tuple[str, str]],
) -> None:
    lines = _output(outputs, "docs/http-api.md", "resources-example")
    disks, state, volume_type, default_migproject = lines
    assert disks.startswith('"init_target_server":{"disks":[{'), disks
    assert '"name":"/dev/vda"' in disks
    assert state == '"state":"waiting"'
    assert volume_type == '"volumetype":"SAS"'
    assert default_migproject == '"name":"SystemProject"'


def test_the_tour_ends_in_migrate_success(outputs: dict[docs.Example, tuple[str, str]]) -> None:
    tours = [runs for example, runs in outputs.items() if "scenario load failed-at-migrate-40 |"
             in example.code and "--wait" in example.code]  # fmt: skip
    assert len(tours) == 2  # README's and Getting started's
    for first, _ in tours:
        assert "MIGRATE_SUCCESS" in first.splitlines()[-1], first


def test_the_examples_with_a_server_of_their_own_pass(tmp_path: Path) -> None:
    """The plugin's tests and unittest's as pytest collects them from a user's project; a
    script run as one."""
    scripts = []
    for index, example in enumerate(OWN_SERVER):
        if re.search(r"^def test_|^class ", example.code, re.M):
            (tmp_path / f"test_example_{index}.py").write_text(example.code)
        else:
            (tmp_path / f"example_{index}.py").write_text(example.code)
            scripts.append(f"example_{index}.py")
    (tmp_path / "test_scripts.py").write_text(
        "import subprocess, sys\n\n\n"
        f"def test_the_scripts_run():\n    for script in {scripts!r}:\n"
        "        subprocess.run([sys.executable, script], check=True, timeout=60)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W",
         "ignore::DeprecationWarning"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b\d+ passed", result.stdout), result.stdout
    assert "skipped" not in result.stdout, result.stdout


@pytest.mark.parametrize("name", ["create-file", "create-block", "create-windows"])
def test_the_create_bodies_create_tasks(client: Any, token: str, name: str) -> None:
    body = json.loads(
        docs.marked(docs.page("http-api.md"), name).removeprefix("```json\n").removesuffix("```")
    )
    response = client.post("/v3/tasks", json=body, headers={"X-Auth-Token": token})
    assert response.status_code == 200, response.get_json()


def test_the_iam_page_lists_every_iam_operation_of_the_openapi_document() -> None:
    from sms_mock.contracts.openapi import openapi_document

    documented = {
        operation["operationId"]
        for item in openapi_document()["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and operation.get("tags") == ["IAM"]
    }
    documented.discard("keystone_check_token")  # HEAD: not an SDK method
    listed = set(re.findall(r"`((?:keystone|create)_[a-z_]+)`", docs.page("iam.md")))
    assert documented <= listed, sorted(documented - listed)


def test_the_generated_parts_are_asked_for_and_none_is_kept_by_hand() -> None:
    """The tables the code can make come from docs/gen_pages.py at build time: the pages ask for
    them, and no page (nor README) holds a copy that could drift."""
    asked = {
        name
        for path in docs.pages()
        for name in re.findall(r"<!-- generated: ([a-z0-9:-]+) -->", path.read_text())
    }
    assert asked == {
        "error-catalogue", "operations", "scenarios", "bench-results", "lifecycle:phases",
        "lifecycle:operations", "lifecycle:wrong-state", "lifecycle:durations",
        "lifecycle:sources",
    }  # fmt: skip
    for path in [docs.README, *docs.pages()]:
        text = path.read_text()
        assert "| `SMS.7713` |" not in text, path  # a row of the error catalogue
        assert "| start | READY |" not in text, path  # a row of the operations table
        assert "| `failed-at-migrate-40` |" not in text, path  # a row of the scenarios
