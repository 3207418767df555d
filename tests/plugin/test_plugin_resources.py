"""The pytest plugin's `add_source` and `add_template`, through its own fixtures (`sms_mock`,
`sms_client`), which the installed plugin gives this suite as it gives any other."""

from __future__ import annotations

import pytest
import requests

from sms_mock.client import NotFound, SmsClient
from sms_mock.client.models import to_dict
from sms_mock.pytest_plugin import SmsMock
from tests.support.accounts import SECOND_PROJECT_ID
from tests.support.helpers import create_body

OTHER_PROJECT = "ap-southeast-3"  # the default account's second project


def everywhere(sms_mock: SmsMock, kind: str) -> list[dict]:
    """GET /_mock/sources or /_mock/templates: every project's."""
    response = requests.get(f"{sms_mock.url}/_mock/{kind}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()[kind]


# --- add_source ---------------------------------------------------------------------------------


def test_add_source_without_a_document_makes_one_as_the_api_answers_it(
    sms_mock: SmsMock, sms_client: SmsClient
) -> None:
    doc = sms_mock.add_source()
    assert to_dict(sms_client.get_source(doc["id"])) == doc


def test_add_source_keeps_what_it_is_given(sms_mock: SmsMock, sms_client: SmsClient) -> None:
    sms_mock.add_source({"id": "src-mine", "name": "db-01", "state": "stopped", "cpu_quantity": 8})
    source = sms_client.get_source("src-mine")
    assert (source.name, source.state, source.cpu_quantity) == ("db-01", "stopped", 8)
    assert "src-mine" in {s.id for s in sms_client.list_sources()}


def test_add_source_into_another_project(sms_mock: SmsMock, sms_client: SmsClient) -> None:
    sms_mock.add_source({"id": "src-elsewhere"}, project=OTHER_PROJECT)
    with pytest.raises(NotFound):
        sms_client.get_source("src-elsewhere")
    owners = {s["source"]["id"]: s["project_id"] for s in everywhere(sms_mock, "sources")}
    assert owners["src-elsewhere"] == SECOND_PROJECT_ID


def test_an_added_source_can_be_migrated(sms_mock: SmsMock, sms_client: SmsClient) -> None:
    source_id = sms_mock.add_source()["id"]
    task_id = sms_client.create_task(create_body(source_id))
    assert sms_client.get_source(source_id).current_task.id == task_id


def test_a_document_that_breaks_the_contract_fails_with_the_answer(sms_mock: SmsMock) -> None:
    with pytest.raises(AssertionError, match=r"POST /_mock/sources: 400 .*cpu_quantity"):
        sms_mock.add_source({"cpu_quantity": "eight"})


# --- add_template -------------------------------------------------------------------------------


def test_add_template_without_a_document_makes_one_as_the_api_answers_it(
    sms_mock: SmsMock, sms_client: SmsClient
) -> None:
    doc = sms_mock.add_template()
    assert to_dict(sms_client.get_template(doc["id"])) == doc


def test_add_template_keeps_what_it_is_given(sms_mock: SmsMock, sms_client: SmsClient) -> None:
    sms_mock.add_template({"id": "tpl-mine", "name": "mine", "target_password": "S3cret!x"})
    assert sms_client.get_template("tpl-mine").name == "mine"
    assert sms_client.get_target_password("tpl-mine").target_password == "S3cret!x"


def test_add_template_into_another_project(sms_mock: SmsMock, sms_client: SmsClient) -> None:
    sms_mock.add_template({"id": "tpl-elsewhere"}, project=OTHER_PROJECT)
    with pytest.raises(NotFound):
        sms_client.get_template("tpl-elsewhere")
    owners = {t["template"]["id"]: t["project_id"] for t in everywhere(sms_mock, "templates")}
    assert owners["tpl-elsewhere"] == SECOND_PROJECT_ID


# --- reset --------------------------------------------------------------------------------------


def test_what_was_added_is_gone_after_a_reset(sms_mock: SmsMock, sms_client: SmsClient) -> None:
    source_id = sms_mock.add_source()["id"]
    template_id = sms_mock.add_template()["id"]
    sms_mock.reset()
    with pytest.raises(NotFound):
        sms_client.get_source(source_id)
    with pytest.raises(NotFound):
        sms_client.get_template(template_id)
