"""`sms-mock conform URL`: the contract suite against an endpoint, as a Markdown and JUnit report.

Run in process through the command line's `main`, against emulators served over real HTTP on
127.0.0.1: a fresh emulator conforms on every operation of the OpenAPI document, read-only and
full (which reaches every operation and leaves the project as it found it); an emulator made to
answer a field of the wrong type (an HTTP fault) makes the command exit 1 naming the operation
and the field's path, in the Markdown and in the JUnit failure; a read-only run sends only reads;
a full run works without the control plane too, and cleans up after a refused step.
"""

from __future__ import annotations

import io
import json
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sms_mock.cli import main
from sms_mock.contracts.openapi import openapi_document
from sms_mock.control import ControlPlane
from sms_mock.credentials import ENVIRONMENT
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import AK, SK

OPERATIONS = [
    (method.upper(), spec["operationId"])
    for item in openapi_document()["paths"].values()
    for method, spec in item.items()
    if isinstance(spec, dict) and "operationId" in spec
]
READS = {op for method, op in OPERATIONS if method in ("GET", "HEAD")}
ROW = re.compile(r"^\| `(\w+)` \| (\d+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", re.MULTILINE)


@pytest.fixture(autouse=True)
def no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials and the admin token come from the test alone."""
    for variable in (*ENVIRONMENT.values(), "SMS_MOCK_ADMIN_TOKEN"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    with LiveServer() as server:
        yield server


@pytest.fixture
def emulator(live: LiveServer) -> LiveServer:
    live.emulator.reset()
    return live


def conform(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["conform", *argv], out=out)
    return code, out.getvalue()


def rows(summary: str) -> dict[str, tuple[int, str, str, str]]:
    """The summary table: operation -> (requests, statuses, conforming, violations)."""
    return {
        m.group(1): (int(m.group(2)), m.group(3).strip(), m.group(4).strip(), m.group(5).strip())
        for m in ROW.finditer(summary)
    }


def resources(url: str) -> dict[str, Any]:
    """What the default project holds, by id (and which migration project is the default)."""
    token = ControlPlane(url).project_token()["token"]
    headers = {"X-Auth-Token": token}

    def listed(path: str, key: str) -> list[Any]:
        answer = requests.get(f"{url}{path}", headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()[key]

    return {
        "tasks": sorted(t["id"] for t in listed("/v3/tasks", "tasks")),
        "sources": sorted(s["id"] for s in listed("/v3/sources", "source_servers")),
        "templates": sorted(t["id"] for t in listed("/v3/vm/templates", "templates")),
        "migprojects": sorted(
            (m["id"], m["isdefault"]) for m in listed("/v3/migprojects", "migprojects")
        ),
    }


def junit(folder: Path) -> ET.Element:
    root = ET.parse(folder / "junit.xml").getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    for name in ("name", "tests", "failures", "errors", "skipped", "time", "timestamp"):
        assert suite.get(name), f"testsuite lacks {name}"
    cases = suite.findall("testcase")
    assert int(suite.get("tests", "")) == len(cases) == len(OPERATIONS)
    for case in cases:
        assert case.get("classname") and case.get("name") and case.get("time")
        float(case.get("time", ""))
    failed = sum(1 for case in cases if case.find("failure") is not None)
    skipped = sum(1 for case in cases if case.find("skipped") is not None)
    assert int(suite.get("failures", "")) == failed
    assert int(suite.get("skipped", "")) == skipped
    return suite


def case(suite: ET.Element, operation_id: str) -> ET.Element:
    (found,) = [c for c in suite.findall("testcase") if c.get("name") == operation_id]
    return found


def test_a_full_run_reaches_every_operation_conforms_and_leaves_the_project_as_it_was(
    emulator: LiveServer, tmp_path: Path
) -> None:
    before = resources(emulator.url)
    code, out = conform(emulator.url, "--report", str(tmp_path))
    assert code == 0, out
    table = rows(out)
    assert set(table) == {op for _, op in OPERATIONS}
    for op, (requests_made, statuses, conforming, violations) in table.items():
        assert requests_made > 0, f"{op} not reached: {out}"
        assert conforming == f"{requests_made} of {requests_made}" and violations == "0", op
        assert re.fullmatch(r"\d{3}(, \d{3})*", statuses), (op, statuses)
    assert f"{len(OPERATIONS)} reached" in out and "0 violations" in out
    # The lifecycle as far as the clock allows, moved by the control plane.
    assert "RUNNING → ABORTING → ABORT → RUNNING → MIGRATE_SUCCESS → SYNCING" in out
    suite = junit(tmp_path)
    assert suite.get("failures") == "0" and suite.get("skipped") == "0"
    full = (tmp_path / "conformance.md").read_text(encoding="utf-8")
    assert "## Requests by operation" in full and "delete the run's task" in full
    written = full + (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert "mock-password" not in written
    assert resources(emulator.url) == before


def test_a_read_only_run_sends_only_reads_and_says_why_each_write_was_not_reached(
    emulator: LiveServer, tmp_path: Path
) -> None:
    control = ControlPlane(emulator.url)
    control.clear_journal()
    code, out = conform(emulator.url, "--read-only", "--report", str(tmp_path))
    assert code == 0, out
    sent = {(r["method"], r["path"]) for r in control.journal()["requests"]}
    writes = {(m, p) for m, p in sent if m not in ("GET", "HEAD")}
    assert writes == {("POST", "/v3/auth/tokens")}, writes  # the login alone
    table = rows(out)
    for op, (requests_made, _, conforming, _) in table.items():
        if op in READS:
            assert requests_made and conforming == f"{requests_made} of {requests_made}", op
    assert re.search(r"`create_task`.*: a write: not sent with --read-only", out)
    # A show also asks for an id that names nothing, to see the 404's format.
    assert "404" in table["show_task"][1] and "`SMS.7703` | 404" in out
    suite = junit(tmp_path)
    skipped = case(suite, "create_task").find("skipped")
    assert skipped is not None and "--read-only" in skipped.get("message", "")
    # Every write is skipped, but the login, which was sent.
    assert int(suite.get("skipped", "")) == len(OPERATIONS) - len(READS) - 1


def test_an_answer_with_a_field_of_the_wrong_type_exits_1_naming_operation_and_path(
    emulator: LiveServer, tmp_path: Path
) -> None:
    token = ControlPlane(emulator.url).project_token()["token"]
    task = requests.get(
        f"{emulator.url}/v3/tasks/sample-running", headers={"X-Auth-Token": token}, timeout=10
    ).json()
    task["sub_tasks"][2]["progress"] = "forty"  # an integer in the contract
    ControlPlane(emulator.url).add_fault(
        {"match": {"method": "GET", "path": "/v3/tasks/*"}, "status": 200, "body": task}
    )
    code, out = conform(emulator.url, "--read-only", "--report", str(tmp_path))
    assert code == 1, out
    assert rows(out)["show_task"][3] == "1"
    assert re.search(
        r"- `show_task` GET /v3/tasks/\S+ → 200: response `sub_tasks\.2\.progress`", out
    )
    (failure,) = case(junit(tmp_path), "show_task").findall("failure")
    assert "sub_tasks.2.progress" in failure.get("message", "")
    assert "sub_tasks.2.progress" in (tmp_path / "conformance.md").read_text(encoding="utf-8")


def test_an_answer_of_another_shape_is_a_violation_and_what_it_should_list_is_not_reached(
    emulator: LiveServer,
) -> None:
    body = {"count": "nine", "source_servers": 5}
    ControlPlane(emulator.url).add_fault(
        {"match": {"method": "GET", "path": "/v3/sources"}, "status": 200, "body": body}
    )
    code, out = conform(emulator.url, "--read-only")
    assert code == 1, out
    assert "- `list_servers` GET /v3/sources → 200: response `count`:" in out
    assert "- `list_servers` GET /v3/sources → 200: response `source_servers`:" in out
    # With no source listed, its show was sent only an id that names nothing, and says so.
    assert f"{len(READS) + 1} reached (2 only with an unknown id)" in out  # the reads, the login
    assert re.search(r"`show_server`: no source_id to use: .*\(only an id that names nothing", out)


def test_a_full_run_without_the_control_plane_waits_on_the_clock_and_still_reaches_all() -> None:
    # The control plane refuses without its admin token: the run cannot move the clock, and
    # a clock 500 times wall time lets the task's phases end within the test.
    with LiveServer({"admin_token": "not-given-to-conform", "speed": 500}) as server:
        code, out = conform(server.url)
    assert code == 0, out
    assert "no emulator control plane (401)" in out
    assert all(made for made, *_ in rows(out).values()), out


def test_the_admin_token_from_the_environment_lets_a_full_run_move_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMS_MOCK_ADMIN_TOKEN", "given-in-the-environment")
    with LiveServer({"admin_token": "given-in-the-environment"}) as server:
        code, out = conform(server.url)
    assert code == 0, out
    assert "no emulator control plane" not in out
    assert re.search(r"the emulator's control plane moved its clock [1-9]\d* times", out)


def test_aksk_credentials_sign_every_request(
    emulator: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
    monkeypatch.setenv("SMS_MOCK_PROJECT", "cn-north-4")
    code, out = conform(emulator.url, "--read-only")
    assert code == 0, out
    table = rows(out)
    assert table["list_tasks"][1] == "200" and table["show_task"][1] == "200, 404"
    assert "- `keystone_create_user_token_by_password`: AK/SK credentials were given" in out
    assert SK not in out


def test_a_credentials_file_is_read_and_a_refused_login_exits_1(
    emulator: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    credentials = tmp_path / "credentials.json"
    wrong = {"username": "mock-user", "password": "not-the-password", "domain": "mock-domain",
             "project": "cn-north-4"}  # fmt: skip
    credentials.write_text(json.dumps(wrong), encoding="utf-8")
    code, out = conform(emulator.url, "--read-only", "--credentials", str(credentials))
    assert code == 1
    assert "the login answered 401" in capsys.readouterr().err
    assert "not-the-password" not in out


def test_a_refused_step_marks_what_it_blocks_and_the_rest_is_still_cleaned_up(
    emulator: LiveServer,
) -> None:
    before = resources(emulator.url)
    refusal = {"error_code": "SMS.7602", "error_msg": "Source server does not exist."}
    ControlPlane(emulator.url).add_fault(
        {"match": {"method": "POST", "path": "/v3/tasks"}, "status": 400, "body": refusal,
         "times": 2}
    )  # fmt: skip
    code, out = conform(emulator.url)
    assert code == 0, out  # a documented refusal keeps the contract
    assert re.search(r"`update_task`.*: create_task answered 400\n", out)
    assert re.search(r"`update_task_status`.*: no task to drive: create_task was refused", out)
    assert resources(emulator.url) == before


def test_an_endpoint_that_answers_nothing_exits_6(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, out = conform(f"http://127.0.0.1:{port}", "--read-only")
    assert code == 6 and out == ""
    assert f"cannot reach http://127.0.0.1:{port}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["127.0.0.1:8080"], "not an http:// or https:// URL"),
        (["http://127.0.0.1:9", "--credentials", "/nonexistent/credentials.json"],
         "--credentials /nonexistent/credentials.json"),
    ],
)  # fmt: skip
def test_bad_usage_exits_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = conform(*argv)
    assert code == 2 and out == ""
    assert message in capsys.readouterr().err
