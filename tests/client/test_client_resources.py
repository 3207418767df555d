"""The reference client's source servers, templates, migration projects and settings, against
the emulator over real HTTP (one malformed-answer case aside, fed by a stub transport)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sms_mock.client import (
    AgentConfig,
    BadRequest,
    ContractViolation,
    Migproject,
    MigprojectDetail,
    MigrationError,
    NotFound,
    ServerError,
    SmsClient,
    Source,
    SourceOverview,
    SourceSummary,
    TargetPassword,
    Template,
    WrongState,
)
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import ACCOUNT, AK, PROJECT_ID, SK
from tests.support.helpers import create_body, registration
from tests.support.stub_http import Answer, stub_session

FIXTURE_SOURCES = 9  # the default fixtures' sources in cn-north-4
RUNNING_SOURCE = "src-sample-running"  # its task is RUNNING
FAILED_SOURCE = "src-sample-migrate-fail"  # its task is MIGRATE_FAIL
FIXTURE_TEMPLATE = "tpl-default"


@pytest.fixture
def sms(password_client: SmsClient) -> SmsClient:
    """The client under test: logged in with the default user's password, over `live`."""
    return password_client


def mock(live: LiveServer, method: str, route: str, body: Any = None, /, **params: str) -> Any:
    response = requests.request(
        method, f"{live.url}/_mock{route}", json=body, params=params or None, timeout=5
    )
    assert response.status_code < 300, response.text
    return response.json()


def sms_requests(live: LiveServer) -> list[str]:
    """The SMS calls the emulator has seen since its reset (logins left out)."""
    journal = mock(live, "GET", "/requests")["requests"]
    return [f"{r['method']} {r['path']}" for r in journal if not r["path"].startswith("/v3/auth")]


@pytest.fixture
def source_id(sms: SmsClient) -> str:
    """A source the test registered, as its agent would."""
    return sms.register_source(registration())


def new_migproject(sms: SmsClient, name: str = "wave-1", **fields: Any) -> str:
    return sms.create_migproject(
        {"name": name, "region": "cn-north-4", "type": "MIGRATE_FILE", **fields}
    )


def default_migproject(sms: SmsClient) -> Any:
    (default,) = [m for m in sms.list_migprojects() if m.isdefault]
    return default


# --- source servers -----------------------------------------------------------------------------


def test_a_registered_source_reads_back_typed(sms: SmsClient, source_id: str) -> None:
    source = sms.get_source(source_id)
    assert isinstance(source, Source)
    assert (source.id, source.name, source.os_type, source.ip) == (
        source_id,
        "web-01",
        "LINUX",
        "10.0.0.5",
    )
    assert source.disks[0].physical_volumes[0].mount_point == "/"
    assert source.current_task is None


def test_a_registered_source_joins_the_default_migproject(sms: SmsClient, source_id: str) -> None:
    assert sms.get_source(source_id).migprojectid == default_migproject(sms).id


def test_the_same_agent_registering_again_keeps_its_id(sms: SmsClient, source_id: str) -> None:
    assert sms.register_source(registration(cpu_quantity=4)) == source_id
    assert sms.get_source(source_id).cpu_quantity == 4


def test_list_sources_finds_a_registered_source(sms: SmsClient, source_id: str) -> None:
    listed = list(sms.list_sources(name="web-01"))
    assert [s.id for s in listed] == [source_id]
    assert isinstance(listed[0], SourceSummary)


def test_list_sources_iterates_every_page(sms: SmsClient, live: LiveServer) -> None:
    for i in range(12):
        mock(live, "POST", "/sources", {"id": f"bulk-{i}", "name": "bulk"})
    assert sorted(s.id for s in sms.list_sources(name="bulk", page_size=5)) == sorted(
        f"bulk-{i}" for i in range(12)
    )
    assert len(list(sms.list_sources(page_size=4))) == FIXTURE_SOURCES + 12


def test_list_sources_filters_by_state(sms: SmsClient) -> None:
    assert [s.id for s in sms.list_sources(state="error")] == [FAILED_SOURCE]


def test_list_sources_sends_a_boolean_filter_as_text(sms: SmsClient) -> None:
    assert len(list(sms.list_sources(connected=True))) == FIXTURE_SOURCES
    assert list(sms.list_sources(connected=False)) == []


def test_list_sources_page_answers_the_count_of_every_match(sms: SmsClient) -> None:
    page = sms.list_sources_page(limit=2, offset=1)
    assert (page.count, len(page.source_servers)) == (FIXTURE_SOURCES, 2)


def test_rename_source(sms: SmsClient, source_id: str) -> None:
    sms.rename_source(source_id, "web-renamed")
    assert sms.get_source(source_id).name == "web-renamed"


def test_update_source_moves_it_to_another_migproject(sms: SmsClient, source_id: str) -> None:
    wave = new_migproject(sms)
    sms.update_source(source_id, migprojectid=wave)
    assert sms.get_source(source_id).migprojectid == wave
    assert [s.id for s in sms.list_sources(migproject=wave)] == [source_id]


def test_update_source_adjusts_a_disk(sms: SmsClient, source_id: str) -> None:
    disk = sms.get_source(source_id).disks[0]
    sms.update_source(source_id, disks=[{"id": disk.id, "need_migration": False}])
    source = sms.get_source(source_id)
    assert source.disks[0].need_migration is False
    assert source.adjust_disk is True


def test_change_source_state_shows_in_the_source(sms: SmsClient, source_id: str) -> None:
    sms.change_source_state(source_id, copystate="stopped", migrationcycle="replicating")
    source = sms.get_source(source_id)
    assert (source.state, source.migration_cycle) == ("stopped", "replicating")


def test_update_disk_info_changes_init_target_server(sms: SmsClient, source_id: str) -> None:
    disk = {"name": "/dev/vdb", "device_use": "NORMAL", "size": 21474836480, "used_size": 0}
    sms.update_disk_info(source_id, disks=[disk])
    target = sms.get_source(source_id).init_target_server
    assert [(d.name, d.size) for d in target.disks] == [("/dev/vdb", 21474836480)]


def test_delete_source_then_get_raises_not_found(sms: SmsClient, source_id: str) -> None:
    sms.delete_source(source_id)
    with pytest.raises(NotFound) as caught:
        sms.get_source(source_id)
    assert caught.value.error_code == "SMS.7602"


def test_delete_sources_deletes_all_or_none(sms: SmsClient, source_id: str) -> None:
    with pytest.raises(NotFound):
        sms.delete_sources([source_id, "absent"])
    assert sms.get_source(source_id).id == source_id
    sms.delete_sources([source_id, "src-windows"])
    assert len(list(sms.list_sources())) == FIXTURE_SOURCES - 1


def test_a_source_whose_task_runs_is_not_deleted(sms: SmsClient) -> None:
    with pytest.raises(BadRequest) as caught:  # SMS.7601 is not one of the WrongState codes
        sms.delete_source(RUNNING_SOURCE)
    assert (caught.value.error_code, type(caught.value)) == ("SMS.7601", BadRequest)
    assert sms.get_source(RUNNING_SOURCE).current_task.state == "RUNNING"


def test_a_task_made_from_a_registered_source_is_its_current_task(
    sms: SmsClient, source_id: str
) -> None:
    task_id = sms.create_task(create_body(source_id))
    assert sms.get_source(source_id).current_task.id == task_id
    with pytest.raises(BadRequest) as caught:
        sms.create_task(create_body(source_id, name="again"))
    assert caught.value.error_code == "SMS.6005"


def test_source_overview_counts_a_new_source_as_unconfigured(
    sms: SmsClient, source_id: str
) -> None:
    overview = sms.source_overview()
    assert isinstance(overview, SourceOverview)
    assert (overview.unconfigured, overview.error, overview.replicate) == (4, 1, 1)


def test_list_error_servers_lists_the_source_whose_task_failed(sms: SmsClient) -> None:
    (failed,) = sms.list_error_servers()
    assert isinstance(failed, MigrationError)
    assert failed.source_id == FAILED_SOURCE
    assert "SMS.6531" in failed.error_json


# --- server templates ---------------------------------------------------------------------------


def test_create_template_then_get_it_with_the_services_defaults(sms: SmsClient) -> None:
    template_id = sms.create_template({"name": "target-1", "availability_zone": "cn-north-4a"})
    template = sms.get_template(template_id)
    assert isinstance(template, Template)
    assert (template.id, template.name, template.target_server_name) == (
        template_id,
        "target-1",
        "target-1",
    )
    assert template.is_template == "true"  # a string in an answer, a boolean in a request
    assert template.vpc.id == "autoCreate"


def test_list_templates_iterates_every_page(sms: SmsClient) -> None:
    made = {sms.create_template({"name": f"bulk-{i}"}) for i in range(7)}
    assert {t.id for t in sms.list_templates(page_size=3)} == made | {FIXTURE_TEMPLATE}


def test_list_templates_filters_by_name(sms: SmsClient) -> None:
    wanted = sms.create_template({"name": "wanted"})
    sms.create_template({"name": "other"})
    assert [t.id for t in sms.list_templates(name="wanted")] == [wanted]


def test_update_template_replaces_the_given_fields(sms: SmsClient) -> None:
    sms.update_template(FIXTURE_TEMPLATE, flavor="s6.xlarge.2", is_template=False)
    template = sms.get_template(FIXTURE_TEMPLATE)
    assert (template.flavor, template.is_template, template.name) == (
        "s6.xlarge.2",
        "false",
        "default-target",
    )


def test_delete_template_then_get_raises_not_found(sms: SmsClient) -> None:
    sms.delete_template(FIXTURE_TEMPLATE)
    with pytest.raises(NotFound) as caught:
        sms.get_template(FIXTURE_TEMPLATE)
    assert caught.value.error_code == "SMS.7101"


def test_delete_templates_deletes_all_or_none(sms: SmsClient) -> None:
    made = sms.create_template({"name": "made"})
    with pytest.raises(NotFound):
        sms.delete_templates([made, "absent"])
    sms.delete_templates([made, FIXTURE_TEMPLATE])
    assert list(sms.list_templates()) == []


def test_get_target_password(sms: SmsClient) -> None:
    template_id = sms.create_template({"name": "with-password", "target_password": "S3cret!x"})
    answer = sms.get_target_password(template_id)
    assert isinstance(answer, TargetPassword)
    assert (answer.template_id, answer.target_password) == (template_id, "S3cret!x")


# --- migration projects -------------------------------------------------------------------------


def test_create_migproject_then_get_it(sms: SmsClient) -> None:
    migproject_id = new_migproject(sms, description="first wave", speed_limit=50)
    shown = sms.get_migproject(migproject_id)
    assert isinstance(shown, MigprojectDetail)
    assert (shown.name, shown.description, shown.speed_limit, shown.isdefault) == (
        "wave-1",
        "first wave",
        50,
        False,
    )
    assert "id" not in shown.extra  # the show answer has no id


def test_list_migprojects_iterates_every_page(sms: SmsClient) -> None:
    made = {new_migproject(sms, f"wave-{i}") for i in range(5)}
    listed = list(sms.list_migprojects(page_size=2))
    assert all(isinstance(m, Migproject) for m in listed)
    assert {m.id for m in listed} == made | {default_migproject(sms).id}


def test_update_migproject_replaces_the_given_fields(sms: SmsClient) -> None:
    migproject_id = new_migproject(sms)
    sms.update_migproject(migproject_id, description="moved", use_public_ip=False)
    shown = sms.get_migproject(migproject_id)
    assert (shown.name, shown.description, shown.use_public_ip) == ("wave-1", "moved", False)


def test_set_default_migproject_leaves_only_one_default(sms: SmsClient) -> None:
    migproject_id = new_migproject(sms)
    sms.set_default_migproject(migproject_id)
    assert [m.id for m in sms.list_migprojects() if m.isdefault] == [migproject_id]


def test_the_default_migproject_is_not_deleted(sms: SmsClient) -> None:
    migproject_id = new_migproject(sms)
    sms.set_default_migproject(migproject_id)
    with pytest.raises(BadRequest) as caught:
        sms.delete_migproject(migproject_id)
    assert caught.value.error_code == "SMS.7303"
    assert not isinstance(caught.value, WrongState)  # a 400 outside the WrongState codes
    assert sms.get_migproject(migproject_id).isdefault is True


def test_a_migproject_holding_sources_is_not_deleted(sms: SmsClient, source_id: str) -> None:
    migproject_id = new_migproject(sms)
    sms.update_source(source_id, migprojectid=migproject_id)
    with pytest.raises(BadRequest) as caught:
        sms.delete_migproject(migproject_id)
    assert caught.value.error_code == "SMS.7311"


def test_delete_migproject_then_get_raises_not_found(sms: SmsClient) -> None:
    migproject_id = new_migproject(sms)
    sms.delete_migproject(migproject_id)
    with pytest.raises(NotFound) as caught:
        sms.get_migproject(migproject_id)
    assert caught.value.error_code == "SMS.7301"


# --- the project's settings ---------------------------------------------------------------------


def test_config_values_are_strings(sms: SmsClient) -> None:
    config = sms.get_config()
    assert isinstance(config, AgentConfig)
    assert config.config["mainRegion"] == "cn-north-4"
    assert config.regions and config.regions[0]["region_name"] == "cn-north-4"
    assert all(
        isinstance(key, str) and isinstance(value, str)
        for values in (config.config, *config.regions)
        for key, value in values.items()
    )


def test_privacy_is_not_agreed_until_agree_privacy(sms: SmsClient) -> None:
    assert sms.get_privacy_agreement() is False
    sms.agree_privacy()
    assert sms.get_privacy_agreement() is True


# --- signing, errors, retries, the contract -----------------------------------------------------


def test_a_signed_client_uses_a_query_and_a_call_without_a_body(live: LiveServer) -> None:
    with SmsClient(live.url, ak=AK, sk=SK, project_id=PROJECT_ID) as signed:
        assert [s.id for s in signed.list_sources(state="error", page_size=1)] == [FAILED_SOURCE]
        migproject_id = signed.create_migproject(
            {"name": "signed", "region": "cn-north-4", "type": "MIGRATE_BLOCK"}
        )
        signed.set_default_migproject(migproject_id)
        signed.agree_privacy()
        assert signed.get_migproject(migproject_id).isdefault is True
        assert signed.get_privacy_agreement() is True


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda c: c.get_source("absent"), "SMS.7602"),
        (lambda c: c.rename_source("absent", "x"), "SMS.7602"),
        (lambda c: c.change_source_state("absent", copystate="stopped"), "SMS.7602"),
        (lambda c: c.update_disk_info("absent", disks=[]), "SMS.7602"),
        (lambda c: c.get_template("absent"), "SMS.7101"),
        (lambda c: c.update_template("absent", name="x"), "SMS.7101"),
        (lambda c: c.get_target_password("absent"), "SMS.7101"),
        (lambda c: c.get_migproject("absent"), "SMS.7301"),
        (lambda c: c.set_default_migproject("absent"), "SMS.7301"),
        (lambda c: c.update_source(RUNNING_SOURCE, migprojectid="absent"), "SMS.7301"),
    ],
)
def test_absent_resources_are_not_found(sms: SmsClient, call: Any, code: str) -> None:
    with pytest.raises(NotFound) as caught:
        call(sms)
    assert caught.value.error_code == code
    assert len(caught.value.request_id) == 32


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.register_source(registration(name=None)), "name"),
        (lambda c: c.register_source(registration(ip="", ipv6="")), "ip"),
        (lambda c: c.list_sources_page(limit=500), "limit"),
        (lambda c: list(c.list_sources(state="PAUSED")), "state"),
        (lambda c: c.update_source("s", name=""), "name"),
        (lambda c: c.change_source_state("s"), "copystate"),
        (lambda c: c.change_source_state("s", copystate="STOPPED"), "copystate"),
        (lambda c: c.update_disk_info("s", disks=[{"size": -1}]), "disks.0.size"),
        (lambda c: c.delete_sources([]), "ids"),
        (lambda c: c.create_template({"name": "no spaces"}), "template.name"),
        (lambda c: c.update_template("t", is_template="true"), "template.is_template"),
        (lambda c: c.delete_templates(["x" * 65]), "ids.0"),
        (lambda c: c.create_migproject({"name": "m", "region": "r"}), "type"),
        (lambda c: c.update_migproject("m", speed_limit="10"), "speed_limit"),
        (lambda c: c.list_migprojects_page(limit=101), "limit"),
    ],
)
def test_a_request_that_breaks_the_contract_is_never_sent(
    sms: SmsClient, live: LiveServer, call: Any, field: str
) -> None:
    with pytest.raises(ContractViolation) as caught:
        call(sms)
    assert (caught.value.direction, caught.value.field) == ("request", field)
    assert sms_requests(live) == []


def http_fault(live: LiveServer, method: str, path: str) -> None:
    """The next call matching `method` and `path` (a glob) answers 503."""
    match = {"method": method, "path": path}
    mock(live, "POST", "/faults", {"match": match, "status": 503, "times": 1})


@pytest.fixture
def patient(live: LiveServer) -> Iterator[SmsClient]:
    """A client that does not sleep between retries."""
    with SmsClient(live.url, project="cn-north-4", sleep=lambda s: None, **ACCOUNT) as client:
        yield client


def test_reads_are_retried_on_a_5xx(patient: SmsClient, live: LiveServer) -> None:
    http_fault(live, "GET", "/v3/vm/templates/*")
    assert patient.get_template(FIXTURE_TEMPLATE).id == FIXTURE_TEMPLATE
    journal = mock(live, "GET", "/requests", path="/v3/vm/templates/*")["requests"]
    assert [r["status"] for r in journal] == [503, 200]


def test_writes_are_never_retried(patient: SmsClient, live: LiveServer) -> None:
    http_fault(live, "PUT", "/v3/migprojects/*")
    migproject_id = new_migproject(patient)
    with pytest.raises(ServerError):
        patient.set_default_migproject(migproject_id)
    journal = mock(live, "GET", "/requests", path="/v3/migprojects/*")["requests"]
    assert [(r["method"], r["status"]) for r in journal] == [("PUT", 503)]


@pytest.mark.parametrize(
    ("call", "body", "field"),
    [
        (lambda c: c.get_source("s"), {"id": 7}, "id"),
        (lambda c: list(c.list_sources()), {"count": 1}, "source_servers"),
        (lambda c: c.source_overview(), {"waiting": "1"}, "waiting"),
        (lambda c: c.get_template("t"), {"template": {"name": "n"}}, "template.id"),
        (lambda c: c.list_migprojects_page(), {"count": 1, "migprojects": [{}]},
         "migprojects.0.id"),
        (lambda c: c.get_migproject("m"), {"type": "MIGRATE_DISK"}, "type"),
        (lambda c: c.get_config(), {"config": {"a": 1}, "regions": []}, "config.a.value"),
        (lambda c: c.get_privacy_agreement(), {"flag": "true"}, "flag"),
        (lambda c: c.register_source(registration()), {}, "id"),
    ],
)  # fmt: skip
def test_an_answer_that_breaks_the_contract_raises_contract_violation(
    call: Any, body: dict[str, Any], field: str
) -> None:
    session, _ = stub_session(lambda request: Answer(200, body))
    client = SmsClient("http://sms.test", project="p", session=session, **ACCOUNT)
    with client, pytest.raises(ContractViolation) as caught:
        call(client)
    assert (caught.value.direction, caught.value.field) == ("response", field)
