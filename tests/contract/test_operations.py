"""Every operation of the OpenAPI document, one property each: a valid request aimed at resources
that exist succeeds, and its answer loads through the answer's schema of the contracts.

The operations are read from `/openapi.json` (tests/support/operations.py), parametrised, not
drawn, so that every one runs on every run. A request is drawn from the document and the
contracts: path values name resources the fixtures hold (or that the example puts in first),
query values come from the parameters' JSON schemas, bodies from the request schema
(`strategies.valid`), credentials are the default account's. An aim per operation says what the
operation needs to succeed: a task in a state that allows the drawn action (the lifecycle model of
tests/support/lifecycle_table.py), a template no task uses before a delete, ids that exist before
a delete-many. A valid request may still meet one of the service's own validations the contract
cannot express (a name already taken); those refusals are listed per operation, must be among the
codes OpenAPI documents for the operation, and are counted.

Each example starts from a fresh emulator (`reset`), so that examples never see each other's
writes. `hypothesis.event()` names each outcome (`--hypothesis-show-statistics`), and the test's
tally must show the success path taken at least once: an operation whose success never ran fails,
naming what it got instead. The run ends with a table of every operation's outcomes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from sms_mock.contracts.iam import TokenResponseSchema
from sms_mock.contracts.migprojects import CreateMigprojectRequestSchema
from sms_mock.contracts.sms import SOURCE_ID_PATTERN
from sms_mock.control import ControlPlane
from sms_mock.mock_server.serving.live import LiveServer
from tests.contract.conftest import CALL_FAILED
from tests.support import lifecycle_table as model
from tests.support import strategies
from tests.support.accounts import PROJECT_ID, USER_ID
from tests.support.assertions import error_body
from tests.support.operations import Operation, operations
from tests.support.reached import REACHED

OPERATIONS = operations()
# Operations of IAM's own listener (Keystone) rather than the SMS endpoint.
IAM_PREFIXES = ("/v3/auth", "/v3/projects", "/v3/users", "/v3/endpoints", "/v3/services",
                "/v3/regions", "/v3.0/")  # fmt: skip
TASK_STATES = {
    "sample-ready": "READY",
    "sample-running": "RUNNING",
    "sample-abort": "ABORT",
    "sample-migrate-success": "MIGRATE_SUCCESS",
    "sample-migrate-fail": "MIGRATE_FAIL",
}
SOURCES_WITH_TASKS = ["src-sample-ready", "src-sample-running", "src-sample-abort",
                      "src-sample-migrate-success", "src-sample-migrate-fail"]  # fmt: skip
FREE_SOURCES = ["src-windows", "src-linux-block", "src-linux-file"]


@dataclass
class World:
    """One example's emulator, freshly reset, and what the example put in."""

    live: LiveServer
    http: requests.Session
    control: ControlPlane
    token: str
    ids: dict[str, list[str]]  # path parameter name -> values naming what exists
    after: list[Callable[[World], None]] = field(default_factory=list)  # checks of the effect

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        headers = {"X-Auth-Token": self.token}
        return self.http.get(f"{self.live.url}{path}", headers=headers, timeout=10, **kwargs)

    def migprojects(self) -> list[str]:
        """The project's migration projects (their ids are new after each reset)."""
        response = self.get("/v3/migprojects")
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["migprojects"]]

    def task_in(self, state: str) -> str:
        """A task of the default project in `state`, put in for this example."""
        return self.control.put_task({"id": f"aimed-{state.lower()}", "state": state})["id"]


@dataclass
class Request:
    path: dict[str, str]
    query: dict[str, str]
    body: Any  # None: no body
    headers: dict[str, str] = field(default_factory=dict)


Aim = Callable[[World, st.DataObject, Operation, Request], None]


# --- what each operation needs to succeed --------------------------------------------------------


def _gone(path: str) -> Callable[[World], None]:
    def check(world: World) -> None:
        assert world.get(path).status_code == 404, f"{path} is still there after its delete"

    return check


def aim_token_request(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    identity = data.draw(
        st.sampled_from(
            [
                {"methods": ["password"], "password": {"user": {
                    "name": "mock-user", "password": "mock-password",
                    "domain": {"name": "mock-domain"}}}},
                {"methods": ["password"], "password": {"user": {
                    "id": USER_ID, "password": "mock-password"}}},
                {"methods": ["token"], "token": {"id": world.token}},
            ]
        ),
        label="identity",
    )  # fmt: skip
    scope = data.draw(
        st.sampled_from(
            [{"project": {"id": PROJECT_ID}}, {"project": {"name": "cn-north-4"}},
             {"domain": {"name": "mock-domain"}}, None]
        ),
        label="scope",
    )  # fmt: skip
    req.body = {"auth": {"identity": identity, **({"scope": scope} if scope else {})}}
    req.headers.pop("X-Auth-Token", None)


def aim_validate_token(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    req.headers["X-Subject-Token"] = world.token


def aim_credential(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    # assume_role is documented as not served (IAM.0007): the token method is the success path.
    duration = data.draw(st.none() | st.integers(900, 86400), label="duration_seconds")
    token: dict[str, Any] = {"id": world.token}
    if duration is not None:
        token["duration_seconds"] = duration
    req.body = {"auth": {"identity": {"methods": ["token"], "token": token}}}


def aim_create_task(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    body = req.body
    world.control.put_source({"id": body["source_server"]["id"]})
    template_id = body.get("vm_template_id")
    if template_id and re.fullmatch(SOURCE_ID_PATTERN, template_id):
        world.control.put_template({"id": template_id})
    elif template_id:  # no template can have this id: name the fixtures' one instead
        body["vm_template_id"] = "tpl-default"


def aim_update_task(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    if "type" in req.body:  # a task's type changes only while it is READY (SMS.7706)
        req.path["task_id"] = "sample-ready"


def aim_action(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    operation = req.body["operation"]
    allowed = [
        state for state in model.STATES if model.expected_answer(operation, state)[0] == "200"
    ]
    state = data.draw(st.sampled_from(allowed), label="state")
    task_id = world.task_in(state)
    req.path["task_id"] = task_id
    row = model.expected_answer(operation, state)[1]
    assert row is not None
    expected = row.then or state

    def moved(world: World) -> None:
        task = world.get(f"/v3/tasks/{task_id}").json()
        assert task["state"] == expected, (operation, state, task["state"], expected)

    world.after.append(moved)


def aim_deletable_task(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    deletable = [t for t, s in TASK_STATES.items() if s not in model.UNDELETABLE]
    task_id = data.draw(st.sampled_from(deletable), label="task")
    req.path["task_id"] = task_id
    world.after.append(_gone(f"/v3/tasks/{task_id}"))


def aim_delete_tasks(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    deletable = [t for t, s in TASK_STATES.items() if s not in model.UNDELETABLE]
    ids = data.draw(st.lists(st.sampled_from(deletable), min_size=1, unique=True), label="ids")
    req.body = {"ids": ids}
    world.after.extend(_gone(f"/v3/tasks/{task_id}") for task_id in ids)


def aim_idle_source(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    source = data.draw(st.sampled_from(FREE_SOURCES), label="source")
    req.path["source_id"] = source
    world.after.append(_gone(f"/v3/sources/{source}"))


def aim_delete_sources(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    ids = data.draw(st.lists(st.sampled_from(FREE_SOURCES), min_size=1, unique=True), label="ids")
    req.body = {"ids": ids}
    world.after.extend(_gone(f"/v3/sources/{source}") for source in ids)


def aim_source_with_task(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    req.path["server_id"] = data.draw(st.sampled_from(SOURCES_WITH_TASKS), label="source")


def aim_source_update(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    if "migprojectid" in req.body:  # a migration project of the caller's project
        req.body["migprojectid"] = world.migprojects()[0]


def _new_templates(world: World, data: st.DataObject) -> list[str]:
    count = data.draw(st.integers(1, 3), label="templates")
    return [world.control.put_template({"id": f"tpl-unused-{n}"})["id"] for n in range(count)]


def aim_delete_template(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    template = _new_templates(world, data)[0]
    req.path["id"] = template
    world.after.append(_gone(f"/v3/vm/templates/{template}"))


def aim_delete_templates(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    ids = _new_templates(world, data)
    req.body = {"ids": ids}
    world.after.extend(_gone(f"/v3/vm/templates/{template}") for template in ids)


def aim_migproject(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    req.path["mig_project_id"] = data.draw(st.sampled_from(world.migprojects()), label="migproject")


def aim_delete_migproject(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    body = data.draw(strategies.valid(CreateMigprojectRequestSchema), label="created")
    created = world.http.post(
        f"{world.live.url}/v3/migprojects",
        json={**body, "name": "aimed-migproject", "isdefault": False},
        headers={"X-Auth-Token": world.token},
        timeout=10,
    )
    assert created.status_code == 200, created.text
    mig_project_id = created.json()["id"]
    req.path["mig_project_id"] = mig_project_id
    world.after.append(_gone(f"/v3/migprojects/{mig_project_id}"))


def aim_export(world: World, data: st.DataObject, op: Operation, req: Request) -> None:
    for entry in req.body["task_info"]:
        entry["task_id"] = data.draw(st.sampled_from(list(TASK_STATES)), label="task_id")


# operation id -> (its aim, the service's own validations a valid request may still meet)
AIMS: dict[str, tuple[Aim | None, frozenset[str]]] = {
    "keystone_create_user_token_by_password": (aim_token_request, frozenset()),
    "keystone_validate_token": (aim_validate_token, frozenset()),
    "keystone_list_users": (None, frozenset()),  # its pattern holds calendar dates only
    "create_temporary_access_key_by_token": (aim_credential, frozenset()),
    "create_task": (aim_create_task, frozenset({"SMS.7711", "SMS.7605"})),
    "update_task": (aim_update_task, frozenset({"SMS.7711", "SMS.7605"})),
    "update_task_status": (aim_action, frozenset()),
    "delete_task": (aim_deletable_task, frozenset()),
    "delete_tasks": (aim_delete_tasks, frozenset()),
    "delete_server": (aim_idle_source, frozenset()),
    "delete_servers": (aim_delete_sources, frozenset()),
    "update_server_name": (aim_source_update, frozenset()),
    "show_command": (aim_source_with_task, frozenset()),
    "create_template": (None, frozenset({"SMS.7112"})),
    "update_template": (None, frozenset({"SMS.7112"})),
    "delete_template": (aim_delete_template, frozenset()),
    "delete_templates": (aim_delete_templates, frozenset()),
    "create_migproject": (None, frozenset({"SMS.7312"})),
    "show_migproject": (aim_migproject, frozenset()),
    "update_migproject": (aim_migproject, frozenset({"SMS.7312"})),
    "update_default_migproject": (aim_migproject, frozenset()),
    "delete_migproject": (aim_delete_migproject, frozenset()),
    "export_consistency_results": (aim_export, frozenset()),
}


# --- drawing a request ---------------------------------------------------------------------------


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def draw_request(world: World, data: st.DataObject, op: Operation) -> Request:
    path = {}
    for parameter in op.path_parameters():
        known = world.ids.get(parameter.name)
        if known:
            path[parameter.name] = data.draw(st.sampled_from(known), label=parameter.name)
        else:
            # Within one segment: a `/` (even as %2F, which WSGI decodes) makes another path.
            one_segment = from_schema(parameter.schema).filter(lambda s: "/" not in s)
            path[parameter.name] = data.draw(one_segment, label=parameter.name)
    query = {}
    for parameter in op.query_parameters():
        if parameter.required or data.draw(st.booleans(), label=f"{parameter.name}?"):
            value = data.draw(from_schema(parameter.schema), label=parameter.name)
            query[parameter.name] = _query_value(value)
    body = None
    if op.body is not None:
        body = data.draw(strategies.valid(op.body), label="body")
    elif op.method in ("POST", "PUT"):
        body = {}  # the optional body the SDK may send
    return Request(path, query, body, {"X-Auth-Token": world.token})


def send(world: World, op: Operation, req: Request) -> requests.Response:
    base = world.live.iam_url if op.path.startswith(IAM_PREFIXES) else world.live.url
    path = op.path
    for name, value in req.path.items():
        path = path.replace(f"{{{name}}}", quote(value, safe=""))
    return world.http.request(
        op.method,
        f"{base}{path}",
        params=req.query,
        data=None if req.body is None else json.dumps(req.body),
        headers={
            **req.headers,
            **({"Content-Type": "application/json"} if req.body is not None else {}),
        },
        timeout=10,
    )


def check_success(op: Operation, response: requests.Response) -> None:
    answer = op.answers[response.status_code]
    if not answer.schemas:
        assert response.headers["Content-Type"].startswith("text/csv"), response.headers
        return
    body = response.json()
    errors = [schema().validate(body) for schema in answer.schemas]
    assert any(not e for e in errors), f"{op}: the answer breaks its schema: {errors[0]}"
    if op.operation_id == "keystone_create_user_token_by_password":
        TokenResponseSchema().load(body)
        assert response.headers["X-Subject-Token"]


# --- the property --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def known_ids(_live_server: LiveServer) -> dict[str, list[str]]:
    """What the fixtures hold after a reset, by path parameter name (read once: a reset restores
    it)."""
    _live_server.emulator.reset()
    token = ControlPlane(_live_server.url).project_token()["token"]
    headers = {"X-Auth-Token": token}

    def listed(url: str, key: str) -> list[str]:
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()[key]]

    url, iam = _live_server.url, _live_server.iam_url
    tasks = [t for t in listed(f"{url}/v3/tasks", "tasks") if t in TASK_STATES]
    return {
        "task_id": tasks,
        "source_id": listed(f"{url}/v3/sources", "source_servers"),
        "server_id": listed(f"{url}/v3/sources", "source_servers"),
        "id": listed(f"{url}/v3/vm/templates", "templates"),
        "project_id": [PROJECT_ID],
        "t_project_id": [PROJECT_ID],
        "user_id": [USER_ID],
        "endpoint_id": listed(f"{iam}/v3/endpoints", "endpoints"),
        "service_id": listed(f"{iam}/v3/services", "services"),
        "region_id": listed(f"{iam}/v3/regions", "regions"),
    }


@pytest.fixture(scope="module")
def wire(_live_server: LiveServer) -> Iterator[tuple[requests.Session, ControlPlane]]:
    """One keep-alive connection each for the API and the control plane, for every example."""
    with requests.Session() as http, ControlPlane(_live_server.url) as control:
        yield http, control


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[Counter[str]]:
    """The outcomes of one operation's examples; after the last, its success must have run."""
    seen: Counter[str] = Counter()
    op = request.node.callspec.params["op"]
    REACHED[op.operation_id] = seen
    yield seen
    if request.node.stash.get(CALL_FAILED, False):
        return  # the property's own failure says more
    assert seen["success"], f"{op}: the success path never ran: {dict(seen)}"


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
# The tally is meant to span the examples; each example resets the emulator itself.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_valid_request_aimed_at_what_exists_succeeds_and_loads(
    _live_server: LiveServer,
    wire: tuple[requests.Session, ControlPlane],
    known_ids: dict[str, list[str]],
    tally: Counter[str],
    op: Operation,
    data: st.DataObject,
) -> None:
    live = _live_server
    live.emulator.reset()
    http, control = wire
    token = control.project_token()["token"]
    world = World(live, http, control, token, known_ids)
    request = draw_request(world, data, op)
    aim, may_refuse = AIMS.get(op.operation_id, (None, frozenset()))
    if aim is not None:
        aim(world, data, op, request)
    response = send(world, op, request)
    assert response.status_code < 500, f"{op}: {response.status_code} {response.text[:300]}"
    if response.status_code < 300:
        check_success(op, response)
        for check in world.after:
            check(world)
        outcome = "success"
    else:
        body = response.json()
        code = body.get("error_code") or body.get("error", {}).get("title")
        assert code in may_refuse, f"{op}: a valid request got {response.status_code} {body}"
        documented = op.answers.get(response.status_code)
        assert documented, f"{op}: {response.status_code} is not documented"
        # Keystone's bodies carry their status's title, not a code of their own.
        assert "error" in body or code in documented.codes, f"{op}: {code} undocumented"
        error_body(response, response.status_code, code)
        outcome = f"refused {code}"
    tally[outcome] += 1
    event(f"{op}: {outcome}")


def test_every_operation_of_the_document_is_a_case_here() -> None:
    ids = [op.operation_id for op in OPERATIONS]
    assert len(ids) == len(set(ids)) and len(ids) >= 66, ids
    unknown = set(AIMS) - set(ids)
    assert not unknown, f"aims for operations the document does not have: {unknown}"
