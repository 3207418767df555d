"""The control plane: health, reset, the clock, putting tasks in, task faults."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest
from flask.testing import FlaskClient

from sms_mock import __version__
from sms_mock.contracts.control import ClockSchema, FaultListSchema, HealthSchema, TaskFaultSchema
from sms_mock.contracts.enums import SubtaskName, TaskState, values
from sms_mock.contracts.sms import TaskSchema
from tests.support.accounts import SECOND_PROJECT_ID, issue_token, password_body
from tests.support.assertions import error_body, error_message
from tests.support.helpers import Sms, advance, loads, now_ms, put_task


def test_health_answers_ok_and_the_version(client: FlaskClient) -> None:
    body = loads(HealthSchema, client.get("/_mock/health").get_json())
    assert body == {"status": "ok", "version": __version__}


def test_the_manual_clock_moves_only_when_told(client: FlaskClient) -> None:
    first = loads(ClockSchema, client.get("/_mock/clock").get_json())
    assert first["mode"] == "manual"
    assert client.get("/_mock/clock").get_json()["now_ms"] == first["now_ms"]
    assert advance(client, 1.5) == first["now_ms"] + 1500


NOT_A_NUMBER = "Not a valid number: a JSON number."


@pytest.mark.parametrize(
    ("seconds", "problem"),
    [
        pytest.param(
            -1,
            "Must be greater than or equal to 0 and less than or equal to 315360000.",
            id="back",
        ),
        pytest.param("5", NOT_A_NUMBER, id="a string"),
        pytest.param(None, "Field may not be null.", id="null"),
        pytest.param(True, NOT_A_NUMBER, id="a boolean"),
    ],
)
def test_the_clock_refuses_to_go_back_or_a_non_number(
    client: FlaskClient, seconds: Any, problem: str
) -> None:
    before = now_ms(client)
    response = client.post("/_mock/clock/advance", json={"seconds": seconds})
    assert error_message(response, 400, "MOCK.0400") == f"Invalid request. seconds: {problem}"
    assert now_ms(client) == before


def test_reset_restores_fixtures_forgets_tokens_and_faults(
    client: FlaskClient, sms: Sms, token: str
) -> None:
    sms.act("sample-ready", "start")
    sms.delete("sample-abort")
    client.post("/_mock/faults", json={"task_id": "sample-ready", "subtask": "SSL_CONFIG"})
    advance(client, 3600)
    assert client.post("/_mock/reset", content_type="application/json").status_code == 200
    error_body(sms.show("sample-ready"), 401, "APIGW.0301")  # token gone
    fresh = Sms(client, issue_token(client))
    assert fresh.task("sample-ready")["state"] == "READY"
    assert fresh.show("sample-abort").status_code == 200
    assert client.get("/_mock/faults").get_json() == {"faults": []}


def test_a_put_task_answers_201_with_the_whole_document(client: FlaskClient, sms: Sms) -> None:
    response = client.post("/_mock/tasks", json={"name": "qa-1", "state": "ABORT"})
    assert response.status_code == 201
    doc = loads(TaskSchema, response.get_json())
    assert (doc["name"], doc["state"]) == ("qa-1", "ABORT")
    assert sms.task(doc["id"]) == response.get_json()


@pytest.mark.parametrize("project", ["ap-southeast-3", SECOND_PROJECT_ID])
def test_a_put_task_belongs_to_the_project_of_the_query(
    client: FlaskClient, sms: Sms, project: str
) -> None:
    # The document's own project_id says the default project; the query decides.
    doc = put_task(client, {"id": "q", "project_id": "aa672d6a0df5c7904ce88d2f516d242d"}, project)
    assert doc["project_id"] == "aa672d6a0df5c7904ce88d2f516d242d"  # kept as given
    assert sms.show("q").status_code == 404
    scope = {"project": {"name": "ap-southeast-3"}}
    neighbour = Sms(client, issue_token(client, password_body(scope=scope)))
    assert neighbour.task("q")["id"] == "q"


ID_RULE = "Must be 1 to 36 characters of A-Z, a-z, 0-9, '_' and '-'."
PERCENT_RULE = "Must be greater than or equal to 0 and less than or equal to 100."


def one_of(enum: type[StrEnum]) -> str:
    return f"Must be one of: {', '.join(values(enum))}."


@pytest.mark.parametrize(
    ("query", "doc", "field", "problem"),
    [
        pytest.param("?project=nowhere", {}, "project", "no project 'nowhere'", id="project"),
        pytest.param("", {"state": "PAUSED"}, "state", one_of(TaskState), id="state"),
        pytest.param("", {"id": "a b"}, "id", ID_RULE, id="id with a space"),
        pytest.param("", {"id": "x" * 37}, "id", ID_RULE, id="id too long"),
        pytest.param("", {"sub_tasks": [{"name": "SSL_CONFIG", "progress": 101}]},
                     "sub_tasks.0.progress", PERCENT_RULE, id="progress"),
        pytest.param("", {"priority": "1"}, "priority", "Not a valid integer: a JSON integer.",
                     id="priority"),
        pytest.param("", {"durations": {"NOT_A_SUBTASK": 1}}, "durations.NOT_A_SUBTASK.key",
                     one_of(SubtaskName), id="duration of no sub-task"),
        pytest.param("", {"durations": {"SSL_CONFIG": -1}}, "durations.SSL_CONFIG.value",
                     "Must be greater than or equal to 0 and less than or equal to 31536000.",
                     id="negative duration"),
        pytest.param("", [], "body", "The body must be a JSON object.", id="not an object"),
    ],
)  # fmt: skip
def test_a_bad_task_document_is_refused_naming_the_field(
    client: FlaskClient, sms: Sms, query: str, doc: Any, field: str, problem: str
) -> None:
    response = client.post(f"/_mock/tasks{query}", json=doc)
    assert error_message(response, 400, "MOCK.0400") == f"Invalid request. {field}: {problem}"
    assert sms.list().get_json()["count"] == 6


def test_a_fault_is_listed_and_deleted(client: FlaskClient) -> None:
    made = client.post(
        "/_mock/faults",
        json={"task_id": "sample-ready", "subtask": "MIGRATE_LINUX_FILE", "at_progress": 40},
    )
    assert made.status_code == 201
    fault = loads(TaskFaultSchema, made.get_json())
    assert (fault["effect"], fault["times"], fault["remaining"], fault["fired"]) == (
        "fail", 1, 1, 0,
    )  # fmt: skip
    listed = loads(FaultListSchema, client.get("/_mock/faults").get_json())
    assert [f["id"] for f in listed["faults"]] == [fault["id"]]
    assert client.delete(f"/_mock/faults/{fault['id']}").status_code == 200
    again = client.delete(f"/_mock/faults/{fault['id']}")
    error_body(again, 404, "MOCK.0404")


@pytest.mark.parametrize(
    ("spec", "field", "problem"),
    [
        pytest.param({"subtask": "SSL_CONFIG"}, "task_id", "Missing data for required field.",
                     id="no task"),
        pytest.param({"task_id": "t", "subtask": "NOPE"}, "subtask", one_of(SubtaskName),
                     id="subtask"),
        pytest.param({"task_id": "t", "subtask": "SSL_CONFIG", "at_progress": 101},
                     "at_progress", PERCENT_RULE, id="at_progress"),
        pytest.param({"task_id": "t", "subtask": "SSL_CONFIG", "effect": "explode"}, "effect",
                     "Must be one of: fail, pause.", id="effect"),
        pytest.param({"task_id": "t", "subtask": "SSL_CONFIG", "times": 0}, "times",
                     "Must be greater than or equal to 1 and less than or equal to 1000000.",
                     id="times"),
        pytest.param({"task_id": "t", "subtask": "SSL_CONFIG", "error_json": 5}, "error_json",
                     "An object or a string.", id="error_json"),
        pytest.param({"task_id": "t", "subtask": "SSL_CONFIG", "phase": "LATER"}, "phase",
                     "String does not match expected pattern.", id="phase"),
    ],
)  # fmt: skip
def test_a_bad_fault_is_refused_naming_the_field(
    client: FlaskClient, spec: dict[str, Any], field: str, problem: str
) -> None:
    response = client.post("/_mock/faults", json=spec)
    assert error_message(response, 400, "MOCK.0400") == f"Invalid request. {field}: {problem}"
    assert client.get("/_mock/faults").get_json() == {"faults": []}


def test_a_string_error_json_is_kept_as_the_tasks_error_text(client: FlaskClient, sms: Sms) -> None:
    client.post(
        "/_mock/faults",
        json={"task_id": "sample-ready", "subtask": "SSL_CONFIG", "error_json": "disk gone"},
    )
    sms.act("sample-ready", "start")
    advance(client, 10)
    assert sms.task("sample-ready")["error_json"] == "disk gone"


def test_the_control_plane_reads_every_project(client: FlaskClient) -> None:
    from sms_mock.contracts.control import EverySourceSchema, EveryTaskSchema, EveryTemplateSchema

    client.post("/_mock/tasks?project=ap-southeast-3", json={"id": "elsewhere"})
    client.post("/_mock/sources?project=ap-southeast-3", json={"id": "src-elsewhere"})
    client.post("/_mock/templates?project=ap-southeast-3", json={"id": "tpl-elsewhere"})
    tasks = loads(EveryTaskSchema, client.get("/_mock/tasks").get_json())["tasks"]
    sources = loads(EverySourceSchema, client.get("/_mock/sources").get_json())["sources"]
    templates = loads(EveryTemplateSchema, client.get("/_mock/templates").get_json())["templates"]
    second = "dc9b435eda28e5664759cb6ea9488a33"
    assert (second, "elsewhere") in {(t["project_id"], t["task"]["id"]) for t in tasks}
    assert (second, "src-elsewhere") in {(s["project_id"], s["source"]["id"]) for s in sources}
    assert {(t["project_id"], t["template"]["id"]) for t in templates} >= {
        (second, "tpl-elsewhere"),
        ("aa672d6a0df5c7904ce88d2f516d242d", "tpl-default"),
    }
    assert any(t["task"]["id"] == "sample-ready" for t in tasks)
