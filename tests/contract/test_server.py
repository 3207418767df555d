"""The server's side of the contract: requests generated from the request schemas.

A valid request gets an answer whose body loads through the response schema of its status (an
error schema for a 4xx), and never a bad-body code (SMS.6010 to 6016) or a Keystone 400: the
contract said it was valid.
An invalid one gets a 4xx whose body loads through the error schema and names the field made
wrong. Nothing ever answers 5xx.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema

from sms_mock.contracts.credentials import CredentialRequestSchema, CredentialResponseSchema
from sms_mock.contracts.iam import TokenRequestSchema, TokenResponseSchema
from sms_mock.contracts.migprojects import (
    CreateMigprojectRequestSchema,
    MigprojectListQuerySchema,
    MigprojectListSchema,
)
from sms_mock.contracts.sms import (
    SOURCE_ID_PATTERN,
    CreateTaskRequestSchema,
    CreateTaskResponseSchema,
    DeleteTasksRequestSchema,
    EmptyResponseSchema,
    TaskActionRequestSchema,
    TaskListQuerySchema,
    TaskListSchema,
    TaskSchema,
)
from sms_mock.contracts.sources import (
    DeleteIdsRequestSchema,
    DiskInfoRequestSchema,
    ErrorListQuerySchema,
    ErrorListSchema,
    IdResponseSchema,
    RegisterSourceRequestSchema,
    SourceListQuerySchema,
    SourceListSchema,
    SourceStateRequestSchema,
    UpdateSourceRequestSchema,
)
from sms_mock.contracts.task_settings import (
    CertKeyQuerySchema,
    CertKeySchema,
    CollectLogRequestSchema,
    CommandResultRequestSchema,
    ConfigSettingQuerySchema,
    ConfigSettingSchema,
    ConfigurationRequestSchema,
    ConsistencyResultRequestSchema,
    NetworkCheckInfoRequestSchema,
    ProgressReportRequestSchema,
    TaskIdSchema,
    UpdateSpeedRequestSchema,
    UpdateTaskRequestSchema,
)
from sms_mock.contracts.templates import (
    CreateTemplateRequestSchema,
    TemplateListQuerySchema,
    TemplateListSchema,
    UpdateTemplateRequestSchema,
)
from tests.support import strategies
from tests.support.assertions import error_body, error_message
from tests.support.helpers import free_source_at
from tests.support.servers import Target

FIXTURE_TASK = "sample-ready"
# A body its contract refuses: not to spec, or incomplete when fields are only missing.
BAD_BODY = {"SMS.6011", "SMS.6013"}

# One keep-alive connection for the module, rather than a new one for every request.
HTTP = requests.Session()


@pytest.fixture
def token(target: Target) -> str:
    """A token issued after this test's reset of the emulator."""
    return target.token()


def send(target: Target, token: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"X-Auth-Token": token, **kwargs.pop("headers", {})}
    response = HTTP.request(method, f"{target.url}{path}", headers=headers, timeout=10, **kwargs)
    assert response.status_code < 500, f"{method} {path}: {response.status_code} {response.text}"
    assert response.headers.get("X-Request-Id"), "every answer carries X-Request-Id"
    return response


def loads(schema: type[Schema], response: requests.Response) -> dict[str, Any]:
    return schema().load(response.json())


# --- valid requests ------------------------------------------------------------------------------


@given(query=strategies.valid(TaskListQuerySchema))
def test_a_valid_list_query_gets_a_task_list(target: Target, token: str, query: dict) -> None:
    params = {key: str(value) for key, value in query.items()}
    response = send(target, token, "GET", "/v3/tasks", params=params)
    assert response.status_code == 200, response.text
    body = loads(TaskListSchema, response)
    assert len(body["tasks"]) <= query.get("limit", 100)


@given(body=strategies.valid(TaskActionRequestSchema))
def test_a_valid_action_is_done_or_refused_for_the_state_only(
    target: Target, token: str, body: dict
) -> None:
    target.require_writes()
    response = send(target, token, "POST", f"/v3/tasks/{FIXTURE_TASK}/action", json=body)
    if response.status_code == 200:
        assert response.json() in ({}, "", None)
        return
    error_body(
        response, 400, {"SMS.7714", "SMS.7713", "SMS.7722", "SMS.7718", "SMS.7721", "SMS.9001"}
    )


def with_what_it_names(target: Target, body: dict) -> dict:
    """The body, once the source it names is put in free, and a template it names exists.

    A create needs a source of the project with no task, and a template of the project when it
    names one: the contract's valid bodies name arbitrary ones. A template id that no template
    may have (outside A-Z, a-z, 0-9, '_', '-') is replaced by the fixtures' `tpl-default`.
    """
    free_source_at(target.url, id=body["source_server"]["id"])
    template_id = body.get("vm_template_id")
    if not template_id:
        return body
    if not re.fullmatch(SOURCE_ID_PATTERN, template_id):
        return {**body, "vm_template_id": "tpl-default"}
    response = HTTP.post(f"{target.url}/_mock/templates", json={"id": template_id}, timeout=10)
    assert response.status_code == 201, response.text
    return body


@given(body=strategies.valid(CreateTaskRequestSchema))
def test_a_valid_create_makes_a_task_that_loads(target: Target, token: str, body: dict) -> None:
    target.require_writes()
    target.emulator  # noqa: B018 - skips against an outside server: sources are put in by /_mock
    body = with_what_it_names(target, body)
    response = send(target, token, "POST", "/v3/tasks", json=body)
    assert response.status_code == 200, response.text
    task_id = loads(CreateTaskResponseSchema, response)["id"]
    task = loads(TaskSchema, send(target, token, "GET", f"/v3/tasks/{task_id}"))
    assert (task["name"], task["type"]) == (body["name"], body["type"])
    assert task["state"] == "READY"  # with auto_start too: it starts at the agent's next poll
    # Gone again, so that its source is free for the next example, which may name it.
    assert send(target, token, "DELETE", f"/v3/tasks/{task_id}").status_code == 200


@given(body=strategies.valid(DeleteTasksRequestSchema))
def test_a_valid_delete_many_of_absent_ids_is_a_404(target: Target, token: str, body: dict) -> None:
    # Generated ids never name a task here (fixture ids have a dash and a known prefix).
    body = {"ids": [f"zz{task_id}"[:36] for task_id in body["ids"]]}
    response = send(target, token, "POST", "/v3/tasks/delete", json=body)
    error_body(response, 404, "SMS.7703")


@given(body=strategies.valid(TokenRequestSchema))
def test_a_valid_token_request_is_answered_by_keystone_rules(target: Target, body: dict) -> None:
    response = HTTP.post(f"{target.iam_url}/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code in (201, 401), response.text
    if response.status_code == 201:
        loads(TokenResponseSchema, response)
        assert response.headers["X-Subject-Token"]
    else:
        error_body(response, 401, "Unauthorized")


CREDENTIALS = "/v3.0/OS-CREDENTIAL/securitytokens"


@given(body=strategies.valid(CredentialRequestSchema))
def test_a_valid_credential_request_is_issued_or_refused_as_documented(
    target: Target, token: str, body: dict
) -> None:
    response = HTTP.post(
        f"{target.iam_url}{CREDENTIALS}", json=body, headers={"X-Auth-Token": token}, timeout=10
    )
    if body["auth"]["identity"]["methods"] == ["assume_role"]:
        assert "assume_role" in error_message(response, 400, "IAM.0007")  # not served
    else:
        assert response.status_code == 201, response.text
        loads(CredentialResponseSchema, response)


@given(data=st.data())
def test_a_task_read_after_any_valid_list_loads(target: Target, token: str, data: Any) -> None:
    listed = loads(TaskListSchema, send(target, token, "GET", "/v3/tasks"))
    if not listed["tasks"]:
        return
    task_id = data.draw(st.sampled_from([t["id"] for t in listed["tasks"]]))
    loads(TaskSchema, send(target, token, "GET", f"/v3/tasks/{task_id}"))


# --- invalid requests ----------------------------------------------------------------------------


def names_the_field(message: str, path: str) -> bool:
    # The message names the field by its dotted path; a refused key inside a nested object may
    # be reported at its parent.
    return path.split(".")[0] in message


@given(case=strategies.invalid(TaskActionRequestSchema))
def test_an_invalid_action_is_a_bad_body_naming_the_field(
    target: Target, token: str, case: tuple[dict, str]
) -> None:
    body, path = case
    response = send(target, token, "POST", f"/v3/tasks/{FIXTURE_TASK}/action", json=body)
    message = error_message(response, 400, BAD_BODY)
    assert names_the_field(message, path), (path, message)


@given(case=strategies.invalid(CreateTaskRequestSchema))
def test_an_invalid_create_is_a_bad_body_naming_the_field(
    target: Target, token: str, case: tuple[dict, str]
) -> None:
    body, path = case
    response = send(target, token, "POST", "/v3/tasks", json=body)
    message = error_message(response, 400, BAD_BODY | {"SMS.7711"})
    assert names_the_field(message, path), (path, message)


@given(case=strategies.invalid(DeleteTasksRequestSchema))
def test_an_invalid_delete_many_is_a_bad_body(
    target: Target, token: str, case: tuple[dict, str]
) -> None:
    body, path = case
    response = send(target, token, "POST", "/v3/tasks/delete", json=body)
    message = error_message(response, 400, BAD_BODY)
    assert names_the_field(message, path), (path, message)


@given(case=strategies.invalid(TokenRequestSchema))
def test_an_invalid_token_request_is_a_keystone_400(target: Target, case: tuple[dict, str]) -> None:
    body, path = case
    response = HTTP.post(f"{target.iam_url}/v3/auth/tokens", json=body, timeout=10)
    message = error_message(response, 400, "Bad Request")
    assert names_the_field(message, path), (path, message)


@given(case=strategies.invalid(CredentialRequestSchema))
def test_an_invalid_credential_request_is_iam_0007_naming_the_field(
    target: Target, token: str, case: tuple[dict, str]
) -> None:
    body, path = case
    response = HTTP.post(
        f"{target.iam_url}{CREDENTIALS}", json=body, headers={"X-Auth-Token": token}, timeout=10
    )
    message = error_message(response, 400, "IAM.0007")
    assert names_the_field(message, path), (path, message)


# --- source servers, templates, migration projects -------------------------------------------

# (method, path, request schema, the answer's schema, the documented refusals of a valid body)
RESOURCE_WRITES = [
    pytest.param("POST", "/v3/sources", RegisterSourceRequestSchema, IdResponseSchema, (),
                 id="register-source"),
    pytest.param("PUT", "/v3/sources/src-linux-file", UpdateSourceRequestSchema,
                 EmptyResponseSchema, ("SMS.7301",), id="update-source"),
    pytest.param("PUT", "/v3/sources/src-linux-file/changestate", SourceStateRequestSchema,
                 EmptyResponseSchema, (), id="changestate"),
    pytest.param("PUT", "/v3/sources/src-linux-file/diskinfo", DiskInfoRequestSchema,
                 EmptyResponseSchema, (), id="diskinfo"),
    pytest.param("POST", "/v3/sources/delete", DeleteIdsRequestSchema, EmptyResponseSchema,
                 ("SMS.7602",), id="delete-sources"),
    pytest.param("POST", "/v3/vm/templates", CreateTemplateRequestSchema, IdResponseSchema,
                 ("SMS.7112",), id="create-template"),
    pytest.param("PUT", "/v3/vm/templates/tpl-default", UpdateTemplateRequestSchema,
                 EmptyResponseSchema, ("SMS.7112",), id="update-template"),
    pytest.param("POST", "/v3/vm/templates/delete", DeleteIdsRequestSchema, EmptyResponseSchema,
                 ("SMS.7101",), id="delete-templates"),
    pytest.param("POST", "/v3/migprojects", CreateMigprojectRequestSchema, IdResponseSchema,
                 ("SMS.7312",), id="create-migproject"),
    pytest.param("PUT", "/v3/tasks/sample-ready", UpdateTaskRequestSchema, EmptyResponseSchema,
                 ("SMS.7706", "SMS.7605"), id="update-task"),
    pytest.param("POST", "/v3/tasks/sample-ready/speed-limit", UpdateSpeedRequestSchema,
                 EmptyResponseSchema, (), id="speed-limit"),
    pytest.param("POST", "/v3/tasks/sample-ready/configuration-setting",
                 ConfigurationRequestSchema, EmptyResponseSchema, (), id="configuration-setting"),
    pytest.param("POST", "/v3/tasks/sample-ready/log", CollectLogRequestSchema,
                 EmptyResponseSchema, (), id="log"),
    pytest.param("POST", "/v3/tasks/sample-ready/consistency-result",
                 ConsistencyResultRequestSchema, EmptyResponseSchema, (), id="consistency-result"),
    pytest.param("POST", "/v3/sample-ready/update-network-check-info",
                 NetworkCheckInfoRequestSchema, TaskIdSchema, (), id="network-check-info"),
    pytest.param("POST", "/v3/sources/src-sample-running/command_result",
                 CommandResultRequestSchema, EmptyResponseSchema, (), id="command-result"),
    pytest.param("PUT", "/v3/tasks/sample-running/progress", ProgressReportRequestSchema,
                 EmptyResponseSchema, (), id="progress"),
]  # fmt: skip
RESOURCE_QUERIES = [
    pytest.param("/v3/sources", SourceListQuerySchema, SourceListSchema, id="list-sources"),
    pytest.param("/v3/errors", ErrorListQuerySchema, ErrorListSchema, id="list-errors"),
    pytest.param("/v3/vm/templates", TemplateListQuerySchema, TemplateListSchema,
                 id="list-templates"),
    pytest.param("/v3/migprojects", MigprojectListQuerySchema, MigprojectListSchema,
                 id="list-migprojects"),
    pytest.param("/v3/tasks/sample-ready/configuration-setting", ConfigSettingQuerySchema,
                 ConfigSettingSchema, id="configuration-setting"),
    pytest.param("/v3/tasks/sample-ready/certkey", CertKeyQuerySchema, CertKeySchema,
                 id="certkey"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "schema", "answer", "refusals"), RESOURCE_WRITES)
@given(data=st.data())
def test_a_valid_resource_write_is_done_or_refused_as_documented(
    target: Target,
    token: str,
    method: str,
    path: str,
    schema: type[Schema],
    answer: type[Schema],
    refusals: tuple[str, ...],
    data: Any,
) -> None:
    target.require_writes()
    body = data.draw(strategies.valid(schema))
    response = send(target, token, method, path, json=body)
    if response.status_code == 200:
        loads(answer, response)
    else:
        error_body(response, response.status_code, refusals)


@pytest.mark.parametrize(("path", "schema", "answer"), RESOURCE_QUERIES)
@given(data=st.data())
def test_a_valid_resource_query_gets_its_list(
    target: Target, token: str, path: str, schema: type[Schema], answer: type[Schema], data: Any
) -> None:
    query = data.draw(strategies.valid(schema))
    loads(answer, send(target, token, "GET", path, params=query))


@pytest.mark.parametrize(("method", "path", "schema", "answer", "refusals"), RESOURCE_WRITES)
@given(data=st.data())
def test_an_invalid_resource_write_is_a_bad_body_naming_the_field(
    target: Target,
    token: str,
    method: str,
    path: str,
    schema: type[Schema],
    answer: type[Schema],
    refusals: tuple[str, ...],
    data: Any,
) -> None:
    body, where = data.draw(strategies.invalid(schema))
    response = send(target, token, method, path, json=body)
    if len(json.dumps(body).encode()) > 10240:  # as requests writes it: the size is read first
        error_body(response, 400, "SMS.6014")
        return
    message = error_message(response, 400, BAD_BODY)
    assert names_the_field(message, where), (where, message)
