"""schemathesis over /openapi.json: every generated request, valid or not, answers as documented."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from sms_mock.mock_server import Config, create_app
from tests.support.accounts import PROJECT_ID, password_body
from tests.support.schemathesis_auth import use_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

# One emulator for the module: the cases act on its sample tasks and create and delete tasks of
# their own, as clients would.
app = create_app(Config(clock="manual"))
client = app.test_client()
_issued = client.post("/v3/auth/tokens", json=password_body())
assert _issued.status_code == 201, _issued.get_json()
TOKEN = _issued.headers["X-Subject-Token"]  # project-scoped, to cn-north-4

# Token requests that succeed: each scope the emulator issues, and the `token` method.
TOKEN_BODIES = [
    password_body(),
    password_body(scope={"project": {"id": PROJECT_ID}}),
    password_body(scope={"domain": {"name": "mock-domain"}}),
    {"auth": {"identity": {"methods": ["token"], "token": {"id": TOKEN}}}},
]

# A valid task id that stands for "the n-th task of the project when the request is sent":
# which tasks exist depends on the cases run before, and a strategy must not read outside state.
EXISTING = "existing-"

schema = schemathesis.openapi.from_wsgi("/openapi.json", app)


def _is_positive(case: Case, location: ParameterLocation) -> bool:
    component = case.meta.components.get(location) if case.meta else None
    return component is not None and component.mode.is_positive


def _existing(index: int) -> str:
    return f"{EXISTING}{index}"


use_token(schema, TOKEN)


@schema.hook
def flatmap_case(context: Any, case: Case) -> st.SearchStrategy[Case]:
    """Sometimes point a valid case at what exists: a live token, a good password, a real task."""
    label = case.operation.label
    index = st.integers(min_value=0, max_value=999)
    if label in ("GET /v3/auth/tokens", "HEAD /v3/auth/tokens"):
        if _is_positive(case, ParameterLocation.HEADER):
            return st.booleans().map(lambda generated: _with_subject(case, not generated))
    elif label == "POST /v3/auth/tokens":
        if _is_positive(case, ParameterLocation.BODY):
            bodies = st.sampled_from(TOKEN_BODIES)
            return st.one_of(bodies.map(lambda body: _with_body(case, body)), st.just(case))
    elif label == "POST /v3/tasks/delete":
        if _is_positive(case, ParameterLocation.BODY):
            ids = st.lists(index.map(_existing), min_size=1, max_size=3)
            return st.one_of(ids.map(lambda i: _with_body(case, {"ids": i})), st.just(case))
    elif "task_id" in case.path_parameters and _is_positive(case, ParameterLocation.PATH):
        return st.one_of(index.map(lambda n: _with_task_id(case, _existing(n))), st.just(case))
    return st.just(case)


def _with_subject(case: Case, live: bool) -> Case:
    if live:
        case.headers = {**(case.headers or {}), "X-Subject-Token": TOKEN}
    return case


def _with_task_id(case: Case, task_id: str) -> Case:
    case.path_parameters = {**case.path_parameters, "task_id": task_id}
    return case


def _with_body(case: Case, body: dict[str, Any]) -> Case:
    case.body = body
    return case


def _resolve(task_id: str, ids: list[str]) -> str:
    """The task an `existing-n` placeholder stands for, when the project has any."""
    index = task_id.removeprefix(EXISTING)
    if index == task_id or not index.isdigit() or not ids:
        return task_id
    return ids[int(index) % len(ids)]


def _resolve_placeholders(case: Case) -> None:
    """Turn `existing-n` placeholders into ids of tasks the project has now."""
    task_id = case.path_parameters.get("task_id", "")
    body_ids = case.body.get("ids") if isinstance(case.body, dict) else None
    placeholders = [task_id, *(body_ids if isinstance(body_ids, list) else [])]
    if not any(isinstance(i, str) and i.startswith(EXISTING) for i in placeholders):
        return
    listed = client.get("/v3/tasks", query_string={"limit": 200}, headers={"X-Auth-Token": TOKEN})
    ids = sorted(task["id"] for task in listed.get_json()["tasks"])
    if task_id:
        case.path_parameters = {**case.path_parameters, "task_id": _resolve(task_id, ids)}
    if isinstance(body_ids, list):
        case.body = {**case.body, "ids": [_resolve(i, ids) for i in body_ids]}


@schema.hook
def after_call(context: Any, case: Case, response: Any) -> None:
    """Let a little time pass after each call, so that reads see tasks at every progress."""
    client.post("/_mock/clock/advance", json={"seconds": 5})


@schema.parametrize()
# Half the profile's examples for each operation: test_operations.py holds each one's success path.
# filter_too_much: the token request's cross-field rules (a user by id or by name with its
# domain, a scope naming a project or a domain, one served method with its object) leave many
# drawn bodies to be filtered, most of all the negative ones; a run of seeds failed the check.
@settings(
    max_examples=max(10, settings.default.max_examples // 2),
    suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.filter_too_much],
)
def test_api_answers_as_documented(case: Case) -> None:
    _resolve_placeholders(case)
    case.call_and_validate(checks=CHECKS)
