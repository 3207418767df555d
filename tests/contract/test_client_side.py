"""The client's side of the contract, fed responses generated from the response schemas.

Every generated response loads into the client's objects and comes back out unchanged; a
malformed one raises ContractViolation naming the field; every request the client sends loads
through its request schema. No server here: a stub transport answers what hypothesis makes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from marshmallow import Schema

from sms_mock.client import ContractViolation, SmsClient
from sms_mock.client.models import to_dict
from sms_mock.contracts.iam import TokenRequestSchema, TokenResponseSchema
from sms_mock.contracts.sms import (
    CreateTaskRequestSchema,
    CreateTaskResponseSchema,
    DeleteTasksRequestSchema,
    TaskActionRequestSchema,
    TaskListQuerySchema,
    TaskListSchema,
    TaskSchema,
)
from tests.support import strategies
from tests.support.stub_http import Answer, StubAdapter, stub_session

ACCOUNT = {"username": "mock-user", "password": "mock-password", "domain": "mock-domain"}


def client_answering(body: Any, status: int = 200, **kwargs: Any) -> tuple[SmsClient, StubAdapter]:
    session, adapter = stub_session(lambda request: Answer(status, body), **kwargs)
    return SmsClient("http://sms.test", project="cn-north-4", session=session, **ACCOUNT), adapter


READS = [
    (TaskSchema, lambda client: client.get_task("t1")),
    (TaskListSchema, lambda client: client.list_tasks_page()),
]


def same_but_nulls(given: Any, loaded: Any) -> bool:
    """`loaded` holds every value `given` holds; keys `given` lacks are None in it."""
    if isinstance(given, dict) and isinstance(loaded, dict):
        return all(
            same_but_nulls(given[key], loaded[key]) if key in given else loaded[key] is None
            for key in loaded
        ) and set(given) <= set(loaded)
    if isinstance(given, list) and isinstance(loaded, list):
        return len(given) == len(loaded) and all(
            same_but_nulls(g, v) for g, v in zip(given, loaded, strict=True)
        )
    return type(given) is type(loaded) and given == loaded


# --- responses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("schema", "call"), READS, ids=["task", "task list"])
@given(data=st.data())
def test_every_valid_response_loads_into_the_clients_objects_unchanged(
    schema: type[Schema], call: Any, data: Any
) -> None:
    body = data.draw(strategies.valid(schema))
    client, _ = client_answering(body)
    assert same_but_nulls(body, to_dict(call(client)))


@given(body=strategies.valid(CreateTaskResponseSchema))
def test_a_valid_create_answer_gives_the_new_id(body: dict) -> None:
    client, _ = client_answering(body)
    assert client.create_task(_a_create_body()) == body["id"]


@given(body=strategies.valid(TokenResponseSchema))
def test_a_valid_token_answer_gives_the_subject_token(body: dict) -> None:
    assume(_is_a_real_time(body["token"]["expires_at"]))
    session, _ = stub_session(
        lambda request: Answer(201, body, {"X-Subject-Token": "MIIgenerated"}), login=False
    )
    client = SmsClient("http://sms.test", project="cn-north-4", session=session, **ACCOUNT)
    assert client.token() == "MIIgenerated"


@pytest.mark.parametrize(("schema", "call"), READS, ids=["task", "task list"])
@given(data=st.data())
def test_a_malformed_response_raises_contract_violation_naming_the_field(
    schema: type[Schema], call: Any, data: Any
) -> None:
    body, path = data.draw(strategies.invalid(schema))
    client, _ = client_answering(body)
    with pytest.raises(ContractViolation) as caught:
        call(client)
    assert caught.value.direction == "response"
    assert caught.value.field.startswith(path) or path.startswith(caught.value.field), (
        caught.value.field,
        path,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": "1", "tasks": []}, "count"),
        ({"tasks": []}, "count"),
        ({"count": 1, "tasks": [{"id": "t", "name": "n", "type": "MIGRATE_FILE",
                                 "os_type": "LINUX", "state": "PAUSED"}]}, "tasks.0.state"),
    ],
)  # fmt: skip
def test_contract_violations_name_the_field(body: dict, field: str) -> None:
    client, _ = client_answering(body)
    with pytest.raises(ContractViolation) as caught:
        client.list_tasks_page()
    assert caught.value.field == field


def test_a_body_that_is_not_json_is_a_contract_violation() -> None:
    client, _ = client_answering(b"<html>maintenance</html>")
    with pytest.raises(ContractViolation) as caught:
        client.get_task("t1")
    assert caught.value.field == "body"


# --- requests ------------------------------------------------------------------------------------


def _a_create_body() -> dict[str, Any]:
    from tests.support.helpers import create_body

    return create_body()


def _is_a_real_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _sent_json(adapter: StubAdapter) -> Any:
    return json.loads(adapter.requests[-1].body)


@given(body=strategies.valid(CreateTaskRequestSchema))
def test_the_clients_create_request_loads_through_its_schema(body: dict) -> None:
    client, adapter = client_answering({"id": "new"})
    client.create_task(body)
    assert CreateTaskRequestSchema().load(_sent_json(adapter)) == CreateTaskRequestSchema().load(
        body
    )


@given(body=strategies.valid(TaskActionRequestSchema))
def test_the_clients_action_request_loads_through_its_schema(body: dict) -> None:
    client, adapter = client_answering({})
    fields = {key: value for key, value in body.items() if key != "operation"}
    client.task_action("t1", body["operation"], **fields)
    assert _sent_json(adapter) == TaskActionRequestSchema().load(body)


@given(body=strategies.valid(DeleteTasksRequestSchema))
def test_the_clients_delete_many_request_loads_through_its_schema(body: dict) -> None:
    client, adapter = client_answering({})
    client.delete_tasks(body["ids"])
    assert DeleteTasksRequestSchema().load(_sent_json(adapter)) == body


@given(query=strategies.valid(TaskListQuerySchema))
def test_the_clients_list_query_loads_through_its_schema(query: dict) -> None:
    client, adapter = client_answering({"count": 0, "tasks": []})
    limit, offset = query.pop("limit", 100), query.pop("offset", 0)
    client.list_tasks_page(limit=limit, offset=offset, **query)
    sent = dict(parse_qsl(urlsplit(adapter.requests[-1].url).query))
    assert TaskListQuerySchema().load(sent) == {**query, "limit": limit, "offset": offset}


@given(
    username=st.text(min_size=1, max_size=20),
    password=st.text(min_size=1, max_size=20),
    domain=st.text(min_size=1, max_size=20),
    project=st.text(min_size=1, max_size=20),
)
def test_the_clients_login_loads_through_the_token_request_schema(
    username: str, password: str, domain: str, project: str
) -> None:
    session, adapter = stub_session(lambda request: Answer(200, {}))
    client = SmsClient("http://sms.test", username=username, password=password, domain=domain,
                       project=project, session=session)  # fmt: skip
    client.token()
    sent = TokenRequestSchema().load(json.loads(adapter.requests[0].body))
    user = sent["auth"]["identity"]["password"]["user"]
    assert (user["name"], user["password"], user["domain"]["name"]) == (username, password, domain)
    assert sent["auth"]["scope"] == {"project": {"name": project}}
