"""schemathesis's valid cases only, over /openapi.json: a request the document calls valid is never
refused for its body, query or path (README, "OpenAPI").

The document says what the server takes: the rules a request schema checks across its fields
(`json_schema_rules`), what a lenient body holds under keys it ignores (JsonValue), an optional
body where the SDK may send none, and each body's size limit (`x-max-body-bytes`, in words too:
JSON Schema has no keyword for a whole document's size, so a case past it is not sent).

What a valid request may still meet is the state it finds, never its shape: a resource that does
not exist (404, or a 400 naming a source or template that does not exist), a name another
resource has, an operation the task's state does not allow, credentials that are not the
account's (401/403), an export past its size.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from schemathesis.core import NotSet
from schemathesis.generation.case import Case
from schemathesis.generation.modes import GenerationMode

from sms_mock.contracts import error_codes as codes
from sms_mock.contracts.openapi import openapi_document
from sms_mock.mock_server import Config, create_app
from tests.support.accounts import password_body
from tests.support.schemathesis_auth import use_token

app = create_app(Config(clock="manual"))
client = app.test_client()
_issued = client.post("/v3/auth/tokens", json=password_body())
assert _issued.status_code == 201, _issued.get_json()
TOKEN = _issued.headers["X-Subject-Token"]
FIXTURE_TASKS = ("sample-ready", "sample-running", "sample-migrate-success", "sample-abort")

schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
schema.config.generation.update(modes=[GenerationMode.POSITIVE])
# Drawn cases only: the coverage phase's hundreds of boundary cases an operation would take
# most of a minute, and its positive ones are drawn too in time (`make fuzz`).
schema.config.phases.update(phases=["examples", "fuzzing"])

# What the state a request finds may answer, whatever its shape: the catalogue's rows.
STATE_ROWS = (
    codes.TASK_UPDATE_FAILED, codes.START_WRONG_STATE, codes.PAUSE_WRONG_STATE,
    codes.ROLLBACK_WRONG_STATE, codes.DELETE_WRONG_STATE, codes.TARGET_WRONG_STATE,
    codes.RESTART_WRONG_STATE, codes.OTHER_WRONG_STATE, codes.EXPORT_TOO_LONG,
    codes.TASK_TEMPLATE_NOT_FOUND, codes.TEMPLATE_IN_USE, codes.TEMPLATE_NAME_TAKEN,
    codes.MIGPROJECT_DEFAULT, codes.MIGPROJECT_NOT_EMPTY, codes.MIGPROJECT_NAME_TAKEN,
    codes.TASK_SOURCE_NOT_FOUND, codes.SOURCE_BUSY, codes.SOURCE_HAS_TASK,
    codes.TARGET_SERVER_TAKEN,
)  # fmt: skip
NOT_THE_SHAPE = {401, 403, 404}  # who asks, and what exists
BODY_LIMITS = {
    (path, method): request["requestBody"].get("x-max-body-bytes")
    for path, item in openapi_document()["paths"].items()
    for method, request in item.items()
    if "requestBody" in request
}


use_token(schema, TOKEN)


@schema.hook
def flatmap_case(context: Any, case: Case) -> st.SearchStrategy[Case]:
    """Half the time a task call names a fixture's task, so that its body meets a real task."""
    if "task_id" in case.path_parameters:
        tasks = st.sampled_from(FIXTURE_TASKS)
        named = tasks.map(lambda task_id: _with_task(case, task_id))
        return st.one_of(named, st.just(case))
    return st.just(case)


def _with_task(case: Case, task_id: str) -> Case:
    case.path_parameters = {**case.path_parameters, "task_id": task_id}
    return case


def _within_its_limit(case: Case) -> bool:
    limit = BODY_LIMITS.get((case.operation.path, case.method.lower()))
    if limit is None or isinstance(case.body, NotSet):
        return True
    return len(json.dumps(case.body).encode()) <= limit


def refused_for_its_shape(status: int, body: Any) -> bool:
    """Whether an answer refuses the request for its body, query or path."""
    if status < 400 or status >= 500 or status in NOT_THE_SHAPE:
        return False
    if not isinstance(body, dict):
        return True
    for row in STATE_ROWS:
        if body.get("error_code") == row.code and str(body.get("error_msg")).startswith(
            row.message.split("%s")[0]
        ):
            # 9001 is also a malformed id or query: only its wrong-state form is the state's.
            return row is codes.OTHER_WRONG_STATE and "not allowed in task state" not in str(
                body.get("error_msg")
            )
    return True


@schema.parametrize()
@settings(
    max_examples=max(5, settings.default.max_examples // 4),
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
def test_no_valid_request_is_refused_for_its_shape(case: Case) -> None:
    assume(_within_its_limit(case))
    response = case.call()
    try:
        body = response.json()
    except ValueError:
        body = response.text
    assert not refused_for_its_shape(response.status_code, body), (
        f"{case.operation.label} {response.status_code}: {body}\n"
        f"{case.as_curl_command() if hasattr(case, 'as_curl_command') else case}"
    )
    client.post("/_mock/clock/advance", json={"seconds": 5})  # reads see tasks move


def _operations_with_a_body() -> list[tuple[str, str, bool]]:
    return [
        (path, method, request["requestBody"]["required"])
        for path, item in openapi_document()["paths"].items()
        for method, request in item.items()
        if "requestBody" in request
    ]


@pytest.mark.parametrize(("path", "method", "required"), _operations_with_a_body())
def test_a_body_is_required_exactly_where_the_document_says(
    path: str, method: str, required: bool
) -> None:
    # Every id a fixture's: what is left to refuse is the missing body alone.
    source = client.get("/v3/sources", headers={"X-Auth-Token": TOKEN}).get_json()
    ids = {"task_id": "sample-ready", "source_id": source["source_servers"][0]["id"]}
    url = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "no-such-id"), path)
    answer = client.open(url, method=method.upper(), headers={"X-Auth-Token": TOKEN})
    body = answer.get_json(silent=True)
    if required:
        assert answer.status_code == 400 and refused_for_its_shape(400, body), body
    else:
        assert not refused_for_its_shape(answer.status_code, body), (answer.status_code, body)
