"""The error catalogue (docs/http-api.md, "Errors"): every `SMS.` code is the API Reference's,
with its message, every case the emulator models answers its row over HTTP, and the site prints
the catalogue as it is."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from sms_mock.contracts import error_codes as codes
from sms_mock.contracts.error_codes import CATALOGUE, MOCK_CODES, SMS_CODES, ErrorCode
from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import PROJECT_ID
from tests.support.assertions import error_body
from tests.support.docs import site_hook
from tests.support.helpers import create_body, free_source_at
from tests.support.servers import issue

ROOT = Path(__file__).resolve().parents[2]
CODE_RE = re.compile(r"\bSMS\.\d{4}\b")


# --- the catalogue against the reference table ------------------------------------------------


def test_the_reference_table_holds_the_current_389_codes() -> None:
    table = codes.reference_table()
    assert len(table) == 389
    assert table["SMS.7703"] == "Task does not exist."
    assert table["SMS.9001"] == "Invalid parameters."
    # Codes of the legacy table that the current one dropped are no longer codes.
    assert not {"SMS.1038", "SMS.1039", "SMS.1040", "SMS.2252", "SMS.2216"} & set(table)


@pytest.mark.parametrize("row", SMS_CODES, ids=lambda row: row.name)
def test_every_sms_row_is_a_code_of_the_reference_with_its_words(row: ErrorCode) -> None:
    assert row.code in codes.reference_table(), f"{row.code} is not in the current table"
    assert row.message == codes.reference_table()[row.code]
    # The table prints 400 on every row: anything else must say it is the emulator's choice.
    assert row.status == 400 or row.status_inferred


def test_the_emulators_own_codes_are_mock_codes_of_their_own() -> None:
    assert all(row.code.startswith("MOCK.") for row in MOCK_CODES)
    assert len({row.code for row in MOCK_CODES}) == len(MOCK_CODES)
    assert len({row.name for row in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("part", ["mock_server", "client", "sms_mock", "fixtures", "contracts"])
def test_no_sms_code_outside_the_reference_table_appears_in_the_code(part: str) -> None:
    unknown = {}
    for path in (ROOT / part).rglob("*"):
        if path.suffix not in {".py", ".pyi", ".json", ".html", ".js"}:
            continue
        for found in CODE_RE.findall(path.read_text(encoding="utf-8")):
            if not codes.is_reference_code(found):
                unknown.setdefault(str(path.relative_to(ROOT)), set()).add(found)
    assert unknown == {}


def test_the_site_prints_the_catalogue_as_it_is() -> None:
    # docs/http-api.md asks for the table; the site's build makes it from the catalogue.
    page = (ROOT / "docs" / "http-api.md").read_text(encoding="utf-8")
    errors = page.split("\n## Errors\n", 1)[1]
    assert "\n<!-- generated: error-catalogue -->\n" in errors
    for code in ("APIGW.0101", "APIGW.0201", "APIGW.0301", "APIGW.0302", "IAM.0007", "IAM.0067"):
        assert f"`{code}`" in errors  # the gateway's and IAM's, in the table before it
    # The page as the site's build makes it: the marker replaced by the catalogue's own table.
    page_file = SimpleNamespace(file=SimpleNamespace(src_path="http-api.md"))
    built = site_hook().on_page_markdown(page, page_file).split("\n## Errors\n", 1)[1]
    assert "<!-- generated: error-catalogue -->" not in built
    assert codes.markdown_table().rstrip("\n") in built


def test_changelog_maps_every_retired_code_to_its_new_one() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    retired = ["SMS.9001", "SMS.9002", "SMS.9004", "SMS.1038", "SMS.1039", "SMS.1040",
               "SMS.2015", "SMS.2004", "SMS.2005", "SMS.2006", "SMS.2007", "SMS.2216",
               "SMS.2252", "SMS.9003", "SMS.9005", "SMS.9006", "SMS.9007", "SMS.9008",
               "SMS.9009", "SMS.9010", "SMS.9011", "SMS.9012", "SMS.9013", "SMS.9014",
               "SMS.9015", "SMS.9016", "SMS.9017"]  # fmt: skip
    for code in retired:
        assert re.search(rf"\| `{re.escape(code)}`[^\n]*\| `(SMS|MOCK)\.\d{{4}}`", changelog), code


# --- every modelled case, over HTTP -----------------------------------------------------------


class Api:
    """The default user's SMS calls and the control plane, over HTTP."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = issue(url)

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        if body is not None:
            kwargs["json"] = body
        elif method == "POST" and path.startswith("/_mock"):
            # A bodiless control-plane POST says JSON too (README, "The control plane").
            kwargs.setdefault("headers", {"Content-Type": "application/json"})
        return self.session.request(method, self.url + path, timeout=10, **kwargs)

    def ok(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        response = self.call(method, path, body, **kwargs)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def task(self, state: str = "READY", **doc: Any) -> str:
        return self.ok("POST", "/_mock/tasks", {"state": state, **doc})["id"]

    def created_task(self, **body: Any) -> tuple[str, str]:
        """A task made through the API for a free source: (task id, source id)."""
        source = free_source_at(self.url)
        task_id = self.ok("POST", "/v3/tasks", create_body(source, **body))["id"]
        return task_id, source

    def act(self, task_id: str, operation: str) -> requests.Response:
        return self.call("POST", f"/v3/tasks/{task_id}/action", {"operation": operation})

    def template(self, name: str) -> str:
        return self.ok("POST", "/v3/vm/templates", {"template": {"name": name}})["id"]

    def raw(self, path: str, data: bytes, content_type: str | None) -> requests.Response:
        headers = {} if content_type is None else {"Content-Type": content_type}
        return self.call("POST", path, data=data, headers=headers)


def _template_in_use(api: Api) -> requests.Response:
    template_id = api.template("in-use")
    api.created_task(vm_template_id=template_id, target_server={"disks": []})
    return api.call("DELETE", f"/v3/vm/templates/{template_id}")


def _migproject_not_empty(api: Api) -> requests.Response:
    migproject = api.ok(
        "POST",
        "/v3/migprojects",
        {"name": "holds-one", "region": "cn-north-4", "type": "MIGRATE_FILE"},
    )["id"]
    source = free_source_at(api.url)
    api.ok("PUT", f"/v3/sources/{source}", {"migprojectid": migproject})
    return api.call("DELETE", f"/v3/migprojects/{migproject}")


def _default_migproject(api: Api) -> str:
    listed = api.ok("GET", "/v3/migprojects")["migprojects"]
    return next(m["id"] for m in listed if m["isdefault"])


def _source_busy(api: Api) -> requests.Response:
    task_id, source = api.created_task()
    assert api.act(task_id, "start").status_code == 200
    return api.call("DELETE", f"/v3/sources/{source}")


def _target_taken(api: Api) -> requests.Response:
    api.created_task(target_server={**create_body()["target_server"], "vm_id": "vm-shared"})
    source = free_source_at(api.url)
    body = create_body(
        source, target_server={**create_body()["target_server"], "vm_id": "vm-shared"}
    )
    return api.call("POST", "/v3/tasks", body)


def _http_fault(api: Api) -> requests.Response:
    api.ok(
        "POST", "/_mock/faults", {"match": {"method": "GET", "path": "/v3/config"}, "status": 500}
    )
    return api.call("GET", "/v3/config")


# How to make each row's answer; `None` rows are reached in another test, named beside them.
CASES: dict[str, Callable[[Api], requests.Response]] = {
    "BODY_TOO_LONG": lambda api: api.raw("/v3/tasks", b" " * 10_241, "application/json"),
    "HEADER_MISSING": lambda api: api.raw("/v3/tasks", b"{}", None),
    "NOT_JSON_CONTENT_TYPE": lambda api: api.raw("/v3/tasks", b"{}", "text/plain"),
    "BODY_EMPTY": lambda api: api.raw("/v3/tasks/sample-ready/action", b"", "application/json"),
    "BODY_NOT_JSON": lambda api: api.raw("/v3/tasks/sample-ready/action", b"{", "application/json"),
    "BODY_INCOMPLETE": lambda api: api.call("POST", "/v3/tasks/sample-ready/action", {}),
    "BODY_NOT_TO_SPEC": lambda api: api.call(
        "POST", "/v3/tasks/sample-ready/action", {"operation": "fly"}
    ),
    "INVALID_PARAMETERS": lambda api: api.call("GET", "/v3/tasks", params={"limit": "-1"}),
    "TASK_NOT_FOUND": lambda api: api.call("GET", "/v3/tasks/no-such-task"),
    "INVALID_TASK_NAME": lambda api: api.call(
        "POST", "/v3/tasks", create_body(free_source_at(api.url), name="web 01!")
    ),
    "TASK_UPDATE_FAILED": lambda api: api.call(
        "PUT", f"/v3/tasks/{api.task('MIGRATE_SUCCESS')}", {"type": "MIGRATE_BLOCK"}
    ),
    "START_WRONG_STATE": lambda api: api.act(api.task("RUNNING"), "start"),
    "PAUSE_WRONG_STATE": lambda api: api.act(api.task("READY"), "stop"),
    "ROLLBACK_WRONG_STATE": lambda api: api.act(api.task("READY"), "sync_failed_rollback"),
    "DELETE_WRONG_STATE": lambda api: api.call("DELETE", f"/v3/tasks/{api.task('RUNNING')}"),
    "TARGET_WRONG_STATE": lambda api: api.act(api.task("READY"), "cutover"),
    "RESTART_WRONG_STATE": lambda api: api.act(api.task("READY"), "restart"),
    "OTHER_WRONG_STATE": lambda api: api.act(api.task("RUNNING"), "skip"),
    "TEMPLATE_NOT_FOUND": lambda api: api.call("GET", "/v3/vm/templates/no-such-template"),
    "TASK_TEMPLATE_NOT_FOUND": lambda api: api.call(
        "POST", "/v3/tasks", create_body(free_source_at(api.url), vm_template_id="no-such")
    ),
    "TEMPLATE_IN_USE": _template_in_use,
    "TEMPLATE_NAME_TAKEN": lambda api: (
        api.template("twice"),
        api.call("POST", "/v3/vm/templates", {"template": {"name": "twice"}}),
    )[1],
    "MIGPROJECT_NOT_FOUND": lambda api: api.call("GET", "/v3/migprojects/no-such-project"),
    "MIGPROJECT_DEFAULT": lambda api: api.call(
        "DELETE", f"/v3/migprojects/{_default_migproject(api)}"
    ),
    "MIGPROJECT_NOT_EMPTY": _migproject_not_empty,
    "MIGPROJECT_NAME_TAKEN": lambda api: api.call(
        "POST",
        "/v3/migprojects",
        {"name": "SystemProject", "region": "cn-north-4", "type": "MIGRATE_FILE"},
    ),
    "SOURCE_NOT_FOUND": lambda api: api.call("GET", "/v3/sources/no-such-source"),
    "TASK_SOURCE_NOT_FOUND": lambda api: api.call("POST", "/v3/tasks", create_body("no-such")),
    "SOURCE_BUSY": _source_busy,
    "SOURCE_HAS_TASK": lambda api: api.call(
        "POST", "/v3/tasks", create_body(api.created_task()[1])
    ),
    "TARGET_SERVER_TAKEN": _target_taken,
    "SOURCE_HAS_NO_TASK": lambda api: api.call(
        "GET", f"/v3/sources/{free_source_at(api.url)}/command"
    ),
    "MOCK_BAD_REQUEST": lambda api: api.call("POST", "/_mock/clock/advance", {"seconds": "x"}),
    "MOCK_FAULT_NOT_FOUND": lambda api: api.call("DELETE", "/_mock/faults/no-such-fault"),
    "MOCK_SCENARIO_NOT_FOUND": lambda api: api.call("POST", "/_mock/scenarios/no-such-scenario"),
    "MOCK_TASK_NOT_FOUND": lambda api: api.call(
        "GET", f"/_mock/ui/parts/tasks/{PROJECT_ID}/no-such-task"
    ),
    "MOCK_HTTP_FAULT": _http_fault,
}
REACHED_ELSEWHERE = {
    "STATE_FILE": "tests/state/test_state_file_hardening.py: a full disk under an SMS change",
    "MOCK_STATE_FILE": (
        "tests/state/test_state_file_hardening.py: a full disk under a control-plane change"
    ),
    "SERVICE_ERROR": "test_an_unforeseen_error_is_a_500_of_its_plane below",
    "MOCK_INTERNAL": "test_an_unforeseen_error_is_a_500_of_its_plane below",
    "MOCK_ADMIN_TOKEN": "test_the_admin_token_refusal_is_a_mock_code below",
    "TASK_FAILED": "test_a_fault_without_error_json_fails_its_task_with_an_engine_code below",
    "MOCK_BODY_TOO_LARGE": "tests/security/test_serve_body_limits.py: a control-plane body",
    "EXPORT_TOO_LONG": "tests/sms/test_export_bounds.py: an export past its limit",
    "MOCK_CROSS_SITE": "tests/security/test_browser_attacker.py: another site's page",
    "MOCK_NOT_JSON": "tests/security/test_browser_attacker.py: a POST that is not JSON",
    "MOCK_UNKNOWN_HOST": "tests/security/test_browser_attacker.py: a rebound host name",
    "MOCK_TOO_MANY_GUESSES": "tests/security/test_admin_token.py: wrong admin tokens",
    "MOCK_SNAPSHOT_TOO_COSTLY": "tests/state/test_snapshot_cost.py: a snapshot of `{}`s",
    "MOCK_UPSTREAM_BROKE_CONTRACT": "tests/proxy/test_proxy.py: sms-mock proxy --strict",
    "MOCK_UPSTREAM_UNREACHABLE": "tests/proxy/test_proxy.py: an upstream on a closed port",
}


def test_every_row_has_a_case_here_or_a_test_elsewhere() -> None:
    assert set(CASES) | set(REACHED_ELSEWHERE) == {row.name for row in CATALOGUE}
    assert not set(CASES) & set(REACHED_ELSEWHERE)


@pytest.fixture
def api(live: LiveServer) -> Api:
    return Api(live.url)


@pytest.mark.parametrize(
    "row", [row for row in CATALOGUE if row.name in CASES], ids=lambda row: row.name
)
def test_each_modelled_case_answers_its_row(api: Api, row: ErrorCode) -> None:
    response = CASES[row.name](api)
    body = error_body(response, row.status, row.code)
    # The table's message, then what was wrong.
    assert body["error_msg"].startswith(row.message), body


def test_the_admin_token_refusal_is_a_mock_code() -> None:
    with LiveServer(Config(clock="manual", admin_token="s3cret")) as server:
        response = requests.get(f"{server.url}/_mock/faults", timeout=10)
        body = error_body(response, 401, codes.MOCK_ADMIN_TOKEN.code)
        assert body["error_msg"] == codes.MOCK_ADMIN_TOKEN.message


def test_a_body_names_every_missing_and_every_wrong_field(api: Api) -> None:
    """Only missing fields: incomplete (6013), each named; one wrong besides: not to spec."""
    missing = error_body(api.call("POST", "/v3/tasks", {}), 400, "SMS.6013")["error_msg"]
    for field in ("name", "type", "source_server", "target_server"):
        assert f"{field}: Missing data for required field." in missing
    wrong = error_body(api.call("POST", "/v3/tasks", {"name": 5}), 400, "SMS.6011")["error_msg"]
    assert "name: Not a valid string." in wrong
    assert "type: Missing data for required field." in wrong


def test_an_invalid_task_name_beside_another_fault_is_the_bodys_fault(api: Api) -> None:
    body = create_body(free_source_at(api.url), name="web 01!", type="NOT_A_TYPE")
    message = error_body(api.call("POST", "/v3/tasks", body), 400, "SMS.6011")["error_msg"]
    assert "name: Must be 1 to 255" in message and "type:" in message


def test_a_wrong_state_refusal_names_the_operation_and_the_state(api: Api) -> None:
    response = api.act(api.task("READY"), "stop")
    message = error_body(response, 400, "SMS.7714")["error_msg"]
    assert message == (
        "Only running tasks can be paused. The operation stop is not allowed in task state READY."
    )


def test_a_fault_without_error_json_fails_its_task_with_an_engine_code(api: Api) -> None:
    task_id = api.task()
    fault = {"task_id": task_id, "subtask": "SSL_CONFIG", "at_progress": 0, "effect": "fail"}
    api.ok("POST", "/_mock/faults", fault)
    assert api.act(task_id, "start").status_code == 200
    api.ok("POST", "/_mock/clock/advance", {"seconds": 3600})
    task = api.ok("GET", f"/v3/tasks/{task_id}")
    assert task["state"] == "MIGRATE_FAIL"
    error = json.loads(task["error_json"])
    assert error["error_code"] == codes.TASK_FAILED.code
    assert error["error_msg"].startswith(codes.TASK_FAILED.message)
    assert "SSL_CONFIG" in error["error_msg"]


@pytest.mark.parametrize(
    ("method", "path", "broken", "row"),
    [
        ("GET", "/v3/tasks", "list", codes.SERVICE_ERROR),
        ("POST", "/_mock/reset", "reset", codes.MOCK_INTERNAL),
    ],
)
def test_an_unforeseen_error_is_a_500_of_its_plane(
    live: LiveServer,
    api: Api,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    broken: str,
    row: ErrorCode,
) -> None:
    def fails(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug nobody foresaw")

    owner = live.emulator.sms if broken == "list" else live.emulator
    monkeypatch.setattr(owner, broken, fails)
    body = error_body(api.call(method, path), 500, row.code)
    assert body["error_msg"] == row.message  # no trace, no detail of the bug


# --- the service's validations, beyond their first refusal ------------------------------------


def test_a_template_renamed_onto_another_is_refused_and_onto_itself_is_not(api: Api) -> None:
    first, second = api.template("first"), api.template("second")
    error_body(
        api.call("PUT", f"/v3/vm/templates/{second}", {"template": {"name": "first"}}),
        400,
        "SMS.7112",
    )
    assert (
        api.call("PUT", f"/v3/vm/templates/{first}", {"template": {"name": "first"}}).status_code
        == 200
    )
    assert api.ok("GET", f"/v3/vm/templates/{second}")["template"]["name"] == "second"


def test_a_template_is_free_to_go_once_its_task_is_gone(api: Api) -> None:
    template_id = api.template("used-once")
    task_id, _source = api.created_task(vm_template_id=template_id, target_server={"disks": []})
    refused = api.call("POST", "/v3/vm/templates/delete", {"ids": [template_id]})
    error_body(refused, 400, "SMS.7111")
    assert api.ok("GET", f"/v3/vm/templates/{template_id}")["template"]["id"] == template_id
    api.ok("DELETE", f"/v3/tasks/{task_id}")
    assert api.call("DELETE", f"/v3/vm/templates/{template_id}").status_code == 200


def test_names_are_per_project(api: Api, live: LiveServer) -> None:
    """Another project may hold a template and a migration project of the same names."""
    api.template("shared-name")
    other = Api(live.url)
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": other.session.headers[
        "X-Auth-Token"]}}, "scope": {"project": {"name": "ap-southeast-3"}}}}  # fmt: skip
    token = requests.post(f"{live.url}/v3/auth/tokens", json=body, timeout=10)
    other.session.headers["X-Auth-Token"] = token.headers["X-Subject-Token"]
    assert (
        other.call("POST", "/v3/vm/templates", {"template": {"name": "shared-name"}}).status_code
        == 200
    )
    migproject = {"name": "SystemProject", "region": "ap-southeast-3", "type": "MIGRATE_FILE"}
    # Every project has its own SystemProject, so its name is taken there too.
    error_body(other.call("POST", "/v3/migprojects", migproject), 400, "SMS.7312")


def test_a_migration_project_renamed_onto_another_is_refused(api: Api) -> None:
    body = {"name": "mine", "region": "cn-north-4", "type": "MIGRATE_FILE"}
    mine = api.ok("POST", "/v3/migprojects", body)["id"]
    error_body(
        api.call("PUT", f"/v3/migprojects/{mine}", {"name": "SystemProject"}), 400, "SMS.7312"
    )
    assert api.call("PUT", f"/v3/migprojects/{mine}", {"name": "mine"}).status_code == 200


def test_a_task_moved_onto_another_tasks_target_is_refused(api: Api) -> None:
    first, _ = api.created_task(target_server={**create_body()["target_server"], "vm_id": "vm-a"})
    second, _ = api.created_task(target_server={**create_body()["target_server"], "vm_id": "vm-b"})
    moved = api.call("PUT", f"/v3/tasks/{second}", {"target_server": {"vm_id": "vm-a"}})
    message = error_body(moved, 400, "SMS.7605")["error_msg"]
    assert first in message and "vm-a" in message
    assert api.ok("GET", f"/v3/tasks/{second}")["target_server"]["vm_id"] == "vm-b"
    # Its own target again is no clash; a deleted task's target is free.
    assert api.call("PUT", f"/v3/tasks/{second}", {"target_server": {"vm_id": "vm-b"}}).ok
    api.ok("DELETE", f"/v3/tasks/{first}")
    assert api.call("PUT", f"/v3/tasks/{second}", {"target_server": {"vm_id": "vm-a"}}).ok


def test_a_target_held_by_a_packed_task_at_rest_is_seen(api: Api) -> None:
    """A task put in at rest is kept packed; its target still counts."""
    api.task("MIGRATE_SUCCESS", target_server={"vm_id": "vm-packed"})
    source = free_source_at(api.url)
    body = create_body(
        source, target_server={**create_body()["target_server"], "vm_id": "vm-packed"}
    )
    error_body(api.call("POST", "/v3/tasks", body), 400, "SMS.7605")


@pytest.mark.parametrize("name", ["web 01", "web.01", "web/01", "", "x" * 256, "web-01\n"])
def test_an_invalid_task_name_is_7711_on_update_too(api: Api, name: str) -> None:
    task_id = api.task()
    response = api.call("PUT", f"/v3/tasks/{task_id}", {"name": name})
    assert "name" in error_body(response, 400, "SMS.7711")["error_msg"]


@pytest.mark.parametrize("name", ["web-01", "任务_1", "A" * 255])
def test_a_task_name_within_the_rule_is_taken(api: Api, name: str) -> None:
    task_id, _ = api.created_task(name=name)
    assert api.ok("GET", f"/v3/tasks/{task_id}")["name"] == name


def test_the_control_plane_may_build_the_states_the_api_refuses(api: Api) -> None:
    """QA puts in two templates of one name and two tasks of one target, as a customer had."""
    for _ in range(2):
        api.ok("POST", "/_mock/templates", {"name": "twin"})
        api.ok("POST", "/_mock/tasks", {"target_server": {"vm_id": "vm-twin"}})
    templates = api.ok("GET", "/v3/vm/templates", params={"name": "twin"})
    assert templates["count"] == 2
