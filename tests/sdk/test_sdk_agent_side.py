"""The official SMS SDK 3.1.219, unmodified, on what a migration agent reports and asks:
collect_log, show_cert_key, update_consistency_result, show_consistency_result,
export_consistency_results, update_network_check_info, show_command, update_command_result,
update_task_speed, and the version documents (list_api_version, show_api_version).

Calls are signed with the default account's AK/SK. Every answer with a JSON body is checked field
by field against the raw JSON (`assert_answers`): of the same GET, made with a token of the same
user, or of the answer itself. What a report records, the control plane's snapshot shows.

The last test keeps every operation of the SDK's SmsClient called by one SDK test module or
another.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdksms.v3 import SmsClient as SdkSmsClient
from huaweicloudsdksms.v3 import model as m

from sms_mock.control import ControlPlane
from tests.support.control import (
    control_fixture,  # noqa: F401 (the control fixture)
    held_source,
    held_task,
    now_ms,
)
from tests.support.sdk import assert_answers, assert_done, sdk_model

# The SDK deprecated to_dict() in favour of raw JSON; the models are what users read, though.
pytestmark = pytest.mark.filterwarnings("ignore:.*to_dict.*deprecated:DeprecationWarning")

TASK = "sample-ready"  # a fixture task: READY, on the source src-sample-ready
RUNNING = "sample-running"  # RUNNING, on src-sample-running
ABSENT = "no-such-task"
BUCKET = "sdk-log-bucket"
DIRECTORIES = [
    {"dir_check": "/etc", "num_total_files": 120, "num_different_files": 0,
     "num_target_miss_files": 0, "num_target_more_files": 0},
    {"dir_check": "/var/www", "num_total_files": 4096, "num_different_files": 3,
     "num_target_miss_files": 1, "num_target_more_files": 2},
]  # fmt: skip
NETWORK_CHECK = {
    "domain_connectivity": True,
    "destination_connectivity": False,
    "network_delay": 12.5,
    "network_jitter": 1.25,
    "migration_speed": 940,
    "loss_percentage": 0.1,
    "cpu_usage": 35.5,
    "mem_usage": 61,
    "evaluation_result": "GOOD",
}
PROGRESS = {
    "subtask_name": "MIGRATE_LINUX_FILE",
    "progress": 55,
    "replicatesize": 5368709120,
    "totalsize": 10737418240,
    "process_trace": "agent: copying /var/www",
    "migrate_speed": 820.5,
    "compress_rate": 1.5,
    "remain_time": 42,
    "total_cpu_usage": 40.0,
    "agent_cpu_usage": 12.5,
    "total_mem_usage": 2048.0,
    "agent_mem_usage": 256.0,
    "total_disk_io": 110.0,
    "agent_disk_io": 90.0,
    "need_migration_test": False,
    "agent_time": "2026-12-01T10:00:00Z",
}
REQUIRED_PROGRESS = ("subtask_name", "progress", "replicatesize", "totalsize", "process_trace")
SDK_TEST_MODULES = (
    "test_sdk_compat.py",
    "test_sdk_resources.py",
    "test_sdk_task_settings.py",
    "test_sdk_agent_side.py",
)
Raw = Callable[..., Any]


def wire(answer: Any) -> Any:
    """The raw JSON of the SDK's answer itself."""
    return json.loads(answer.raw_content)


# --- the calls ------------------------------------------------------------------------------


def collect_log(sdk: SdkSmsClient, task_id: str = TASK, bucket: str = BUCKET) -> Any:
    body = m.UploadLogRequestBody(log_bucket=bucket)
    return sdk.collect_log(m.CollectLogRequest(task_id=task_id, body=body))


def cert_key(sdk: SdkSmsClient, task_id: str = TASK, **query: Any) -> Any:
    return sdk.show_cert_key(m.ShowCertKeyRequest(task_id=task_id, **query))


def report_consistency(
    sdk: SdkSmsClient, directories: list[dict[str, Any]], task_id: str = TASK
) -> Any:
    body = sdk_model(m.SetConsistencyResultRequestBody, {"consistency_result": directories})
    return sdk.update_consistency_result(
        m.UpdateConsistencyResultRequest(task_id=task_id, body=body)
    )


def consistency(sdk: SdkSmsClient, task_id: str = TASK) -> Any:
    return sdk.show_consistency_result(m.ShowConsistencyResultRequest(task_id=task_id))


def export(sdk: SdkSmsClient, tasks: list[dict[str, Any]]) -> Any:
    body = sdk_model(m.BatchGetConsistencyResultReq, {"task_info": tasks})
    return sdk.export_consistency_results(m.ExportConsistencyResultsRequest(body=body))


def network_check(
    sdk: SdkSmsClient, info: dict[str, Any] = NETWORK_CHECK, task_id: str = TASK
) -> Any:
    body = sdk_model(m.NetworkCheckInfoRequestBody, info)
    return sdk.update_network_check_info(
        m.UpdateNetworkCheckInfoRequest(task_id=task_id, body=body)
    )


def command(sdk: SdkSmsClient, server_id: str) -> Any:
    return sdk.show_command(m.ShowCommandRequest(server_id=server_id))


def command_result(sdk: SdkSmsClient, server_id: str, **body: Any) -> Any:
    fields = {"command_name": "START", "result": "success", **body}
    return sdk.update_command_result(
        m.UpdateCommandResultRequest(server_id=server_id, body=m.CommandBody(**fields))
    )


def progress(sdk: SdkSmsClient, report: dict[str, Any] = PROGRESS, task_id: str = RUNNING) -> Any:
    body = sdk_model(m.UpdateTaskSpeedReq, report)
    return sdk.update_task_speed(m.UpdateTaskSpeedRequest(task_id=task_id, body=body))


def show_task(sdk: SdkSmsClient, task_id: str = TASK) -> Any:
    return sdk.show_task(m.ShowTaskRequest(task_id=task_id))


# --- collect_log ----------------------------------------------------------------------------


def log_status(sdk: SdkSmsClient, raw: Raw, task_id: str = TASK) -> str | None:
    """The task's log_collect_status, the same in the task list (the SDK's TasksResponseBody;
    ShowTaskResponse has no attribute for it), the task's raw JSON and its source's
    current_task."""
    listed = sdk.list_tasks(m.ListTasksRequest(id=task_id))
    assert_answers(listed, raw("/v3/tasks", id=task_id))
    [item] = listed.tasks
    plain = raw(f"/v3/tasks/{task_id}")
    source = sdk.show_server(m.ShowServerRequest(source_id=plain["source_server"]["id"]))
    # Not a key of ShowTaskResponse: the show answers it once a collection was asked.
    assert item.log_collect_status == plain.get("log_collect_status")
    assert source.current_task.log_collect_status == item.log_collect_status
    return item.log_collect_status


def test_collect_log_moves_the_log_collect_status_on_the_clock(
    control: ControlPlane, sdk: SdkSmsClient, raw: Raw
) -> None:
    assert log_status(sdk, raw) is None  # never asked
    answer = collect_log(sdk)
    assert_done(answer)
    assert answer.body is None  # CollectLogResponse's only attribute: nothing in `{}`
    assert log_status(sdk, raw) == "INIT"
    control.advance(1)
    assert log_status(sdk, raw) == "UPLOADING"
    control.advance(8.5)
    assert log_status(sdk, raw) == "UPLOADING"
    control.advance(0.5)  # 10 s after the ask
    assert log_status(sdk, raw) == "UPLOADED"
    control.advance(3600)
    assert log_status(sdk, raw) == "UPLOADED"


def test_collect_log_again_starts_over(control: ControlPlane, sdk: SdkSmsClient, raw: Raw) -> None:
    collect_log(sdk)
    control.advance(10)
    assert log_status(sdk, raw) == "UPLOADED"
    assert_done(collect_log(sdk, bucket="another-bucket"))
    assert log_status(sdk, raw) == "INIT"
    control.advance(1)
    assert log_status(sdk, raw) == "UPLOADING"


def test_collect_log_of_a_running_task(control: ControlPlane, sdk: SdkSmsClient, raw: Raw) -> None:
    assert_done(collect_log(sdk, RUNNING))
    assert log_status(sdk, raw, RUNNING) == "INIT"
    control.advance(10)
    assert log_status(sdk, raw, RUNNING) == "UPLOADED"


def test_collect_log_gives_the_agent_its_bucket(sdk: SdkSmsClient, raw: Raw) -> None:
    collect_log(sdk)
    shown = command(sdk, "src-sample-ready")
    assert_answers(shown, raw("/v3/sources/src-sample-ready/command"))
    assert (shown.command_param.task_id, shown.command_param.bucket) == (TASK, BUCKET)


# --- show_cert_key --------------------------------------------------------------------------

PEM_KEYS = (
    "cert",
    "private_key",
    "target_mgmt_cert",
    "target_mgmt_private_key",
    "target_data_cert",
    "target_data_private_key",
)


def is_pem(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("-----BEGIN ")
        and value.rstrip().endswith("-----")
    )


@pytest.mark.parametrize("enable", [None, False], ids=["no-query", "false"])
def test_show_cert_key_without_the_ca(sdk: SdkSmsClient, raw: Raw, enable: bool | None) -> None:
    query = {} if enable is None else {"enable_ca_cert": enable}
    shown = cert_key(sdk, **query)
    wire_query = {} if enable is None else {"enable_ca_cert": "false"}
    assert_answers(shown, raw(f"/v3/tasks/{TASK}/certkey", **wire_query))
    assert all(is_pem(getattr(shown, key)) for key in PEM_KEYS)
    assert shown.ca is None


def test_show_cert_key_with_the_ca(sdk: SdkSmsClient, raw: Raw) -> None:
    shown = cert_key(sdk, enable_ca_cert=True)
    assert_answers(shown, raw(f"/v3/tasks/{TASK}/certkey", enable_ca_cert="true"))
    assert is_pem(shown.ca)
    without = cert_key(sdk)
    assert all(getattr(shown, key) == getattr(without, key) for key in PEM_KEYS)
    assert shown.ca not in {getattr(shown, key) for key in PEM_KEYS}


def test_show_cert_key_is_stable_and_the_tasks_own(sdk: SdkSmsClient) -> None:
    first = cert_key(sdk, enable_ca_cert=True)
    again = cert_key(sdk, enable_ca_cert=True)
    other = cert_key(sdk, RUNNING, enable_ca_cert=True)
    assert wire(again) == wire(first)
    assert all(getattr(other, key) != getattr(first, key) for key in (*PEM_KEYS, "ca"))
    assert len({getattr(first, key) for key in PEM_KEYS}) == len(PEM_KEYS)


# --- consistency results --------------------------------------------------------------------


def test_show_consistency_result_of_a_task_without_checks(sdk: SdkSmsClient, raw: Raw) -> None:
    shown = consistency(sdk)
    assert_answers(shown, raw(f"/v3/tasks/{TASK}/consistency-result"))
    assert (shown.task_id, shown.result_list) == (TASK, [])


def test_update_then_show_consistency_result_answers_the_checks(
    control: ControlPlane, sdk: SdkSmsClient, raw: Raw
) -> None:
    first_at = now_ms(control)
    assert_done(report_consistency(sdk, DIRECTORIES[:1]))
    control.advance(60)
    assert_done(report_consistency(sdk, DIRECTORIES))
    plain = raw(f"/v3/tasks/{TASK}/consistency-result")
    # The emulator answers objects, as Terraform's provider reads them from the service.
    assert plain == {
        "task_id": TASK,
        "result_list": [
            {"finished_time": first_at, "check_result": "OK",
             "consistency_result": DIRECTORIES[:1]},
            {"finished_time": first_at + 60_000, "check_result": "FAIL",
             "consistency_result": DIRECTORIES},
        ],
    }  # fmt: skip
    shown = consistency(sdk)
    assert wire(shown) == plain
    assert shown.task_id == TASK
    # The SDK's model says list[str]: the SDK turns each object into Python's str() of it.
    assert shown.result_list == [str(check) for check in plain["result_list"]]
    assert all(isinstance(check, str) for check in shown.result_list)


def test_update_consistency_result_without_directories_is_accepted(sdk: SdkSmsClient) -> None:
    # SetConsistencyResultRequestBody's consistency_result is optional in the SDK (its
    # __init__ sets it only when given), so the SDK sends `{}`.
    body = m.SetConsistencyResultRequestBody()
    assert body.to_dict() == {"consistency_result": None}
    answer = sdk.update_consistency_result(
        m.UpdateConsistencyResultRequest(task_id=TASK, body=body)
    )
    assert_done(answer)
    shown = consistency(sdk)
    assert shown.task_id == TASK and isinstance(shown.result_list, list)


def test_export_consistency_results_answers_a_csv_file(
    control: ControlPlane, sdk: SdkSmsClient
) -> None:
    at = now_ms(control)
    report_consistency(sdk, DIRECTORIES)
    report_consistency(sdk, DIRECTORIES[:1], RUNNING)
    answer = export(
        sdk,
        [
            {"task_id": TASK, "source_id": "src-sample-ready", "source_name": "ready-01"},
            {"task_id": RUNNING},
        ],
    )
    assert isinstance(answer, m.ExportConsistencyResultsResponse)
    assert answer.status_code == 200
    got: dict[str, Any] = {}
    answer.consume_download_stream(
        lambda stream: got.update(type=stream.headers["Content-Type"], text=stream.text)
    )
    assert got["type"].split(";")[0] == "text/csv"
    lines = got["text"].splitlines()
    assert lines[0].split(",") == [
        "task_id", "source_name", "finished_time", "check_result", *DIRECTORIES[0],
    ]  # fmt: skip
    assert lines[1:] == [
        f"{TASK},ready-01,{at},FAIL,/etc,120,0,0,0",
        f"{TASK},ready-01,{at},FAIL,/var/www,4096,3,1,2",
        f"{RUNNING},,{at},OK,/etc,120,0,0,0",
    ]


def test_export_consistency_results_of_a_task_without_checks_is_the_header(
    sdk: SdkSmsClient,
) -> None:
    answer = export(sdk, [{"task_id": TASK}])
    got: list[str] = []
    answer.consume_download_stream(lambda stream: got.extend(stream.text.splitlines()))
    assert len(got) == 1 and got[0].startswith("task_id,")


# --- the network check ----------------------------------------------------------------------


def test_update_network_check_info_then_show_task_answers_it(sdk: SdkSmsClient, raw: Raw) -> None:
    answer = network_check(sdk)
    assert_answers(answer, wire(answer))
    assert answer.task_id == TASK
    shown = show_task(sdk)
    plain = raw(f"/v3/tasks/{TASK}")
    assert_answers(shown, plain)
    assert plain["network_check_info"] == NETWORK_CHECK
    info = shown.network_check_info
    assert isinstance(info, m.NetworkCheckInfoRequestBody)
    assert {key: getattr(info, key) for key in NETWORK_CHECK} == NETWORK_CHECK


def test_update_network_check_info_again_replaces_the_values(sdk: SdkSmsClient, raw: Raw) -> None:
    network_check(sdk)
    again = {
        **NETWORK_CHECK,
        "domain_connectivity": False,
        "network_delay": 30,
        "loss_percentage": 2.5,
        "evaluation_result": "POOR",
    }
    assert network_check(sdk, again).task_id == TASK
    shown = show_task(sdk)
    assert_answers(shown, raw(f"/v3/tasks/{TASK}"))
    assert {k: getattr(shown.network_check_info, k) for k in NETWORK_CHECK} == again


# --- the agent's commands -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_id", "task_id", "name"),
    [
        ("src-sample-running", RUNNING, "START"),
        ("src-sample-ready", TASK, "TASK_NOT_STARTED"),
    ],
)
def test_show_command_follows_the_tasks_state(
    sdk: SdkSmsClient, raw: Raw, source_id: str, task_id: str, name: str
) -> None:
    shown = command(sdk, source_id)
    assert_answers(shown, raw(f"/v3/sources/{source_id}/command"))
    assert isinstance(shown.command_param, m.CommandParam)
    assert (shown.command_name, shown.command_param.task_id) == (name, task_id)
    assert shown.command_param.bucket is None  # no log collection asked


def test_show_command_of_a_source_without_a_task_is_sms_2252(sdk: SdkSmsClient) -> None:
    with pytest.raises(ClientRequestException) as caught:
        command(sdk, "src-linux-file")
    assert (caught.value.status_code, caught.value.error_code) == (404, "SMS.7606")


def test_update_command_result_is_recorded_with_its_time(
    control: ControlPlane, sdk: SdkSmsClient
) -> None:
    detail = {"pid": 4242, "message": "started", "steps": ["mount", "copy"]}
    at = now_ms(control)
    assert_done(command_result(sdk, "src-sample-running", result_detail=detail))
    control.advance(5)
    assert_done(command_result(sdk, "src-sample-running", command_name="SYNC", result="fail"))
    recorded = held_source(control, "src-sample-running")["_command_results"]
    assert recorded == [
        {"command_name": "START", "result": "success", "result_detail": detail, "at": at},
        {"command_name": "SYNC", "result": "fail", "at": at + 5000},
    ]


def test_update_command_result_stop_stops_a_stopping_task(sdk: SdkSmsClient, raw: Raw) -> None:
    sdk.update_task_status(
        m.UpdateTaskStatusRequest(task_id=RUNNING, body=m.UpdateTaskStatusReq(operation="stop"))
    )
    assert command(sdk, "src-sample-running").command_name == "STOP"
    assert show_task(sdk, RUNNING).state == "ABORTING"
    assert_done(command_result(sdk, "src-sample-running", command_name="STOP"))
    shown = show_task(sdk, RUNNING)
    assert_answers(shown, raw(f"/v3/tasks/{RUNNING}"))
    assert shown.state == "ABORT"
    assert command(sdk, "src-sample-running").command_name == "TASK_HAS_STOPPED"


# --- the agent's progress report -------------------------------------------------------------


def test_update_task_speed_is_recorded_and_moves_no_task(
    control: ControlPlane, sdk: SdkSmsClient, raw: Raw
) -> None:
    before = show_task(sdk, RUNNING)
    plain_before = raw(f"/v3/tasks/{RUNNING}")
    at = now_ms(control)
    assert_done(progress(sdk))
    assert held_task(control, RUNNING)["settings"]["progress_report"] == {**PROGRESS, "at": at}
    shown = show_task(sdk, RUNNING)
    plain = raw(f"/v3/tasks/{RUNNING}")
    assert_answers(shown, plain)
    assert plain["sub_tasks"] == plain_before["sub_tasks"]
    assert [s.to_dict() for s in shown.sub_tasks] == [s.to_dict() for s in before.sub_tasks]
    assert (shown.state, shown.total_time) == (before.state, before.total_time)


def test_update_task_speed_with_only_the_required_fields(
    control: ControlPlane, sdk: SdkSmsClient
) -> None:
    required = {k: PROGRESS[k] for k in REQUIRED_PROGRESS}
    assert_done(progress(sdk, required, TASK))
    reported = held_task(control, TASK)["settings"]["progress_report"]
    assert {k: v for k, v in reported.items() if k != "at"} == required


@pytest.mark.parametrize(
    "change",
    [{"progress": 101}, {"subtask_name": "NO_SUCH_SUBTASK"}, {"replicatesize": -1}],
    ids=["progress", "subtask_name", "replicatesize"],
)
def test_update_task_speed_refuses_a_bad_report(
    control: ControlPlane, sdk: SdkSmsClient, change: dict[str, Any]
) -> None:
    with pytest.raises(ClientRequestException) as caught:
        progress(sdk, {**PROGRESS, **change})
    assert caught.value.status_code == 400
    assert caught.value.error_code in {"SMS.6011", "SMS.6013"}
    assert "progress_report" not in (held_task(control, RUNNING)["settings"] or {})


# --- the version documents -------------------------------------------------------------------


def test_list_api_version_answers_the_version_list(sdk: SdkSmsClient, raw: Raw) -> None:
    listed = sdk.list_api_version(m.ListApiVersionRequest())
    assert_answers(listed, raw("/"))
    [version] = listed.versions
    assert (version.id, version.status) == ("v3", "CURRENT")
    assert [(link.rel, link.href.endswith("/v3/")) for link in version.links] == [("self", True)]


def test_show_api_version_answers_the_v3_document(sdk: SdkSmsClient, raw: Raw) -> None:
    shown = sdk.show_api_version(m.ShowApiVersionRequest(version="v3"))
    assert_answers(shown, raw("/v3"))
    listed = sdk.list_api_version(m.ListApiVersionRequest())
    assert shown.to_dict() == listed.versions[0].to_dict()


# --- errors -----------------------------------------------------------------------------------

TASK_CALLS: dict[str, Callable[[SdkSmsClient, str], Any]] = {
    "collect_log": lambda sdk, task: collect_log(sdk, task),
    "show_cert_key": lambda sdk, task: cert_key(sdk, task, enable_ca_cert=True),
    "update_consistency_result": lambda sdk, task: report_consistency(sdk, DIRECTORIES, task),
    "show_consistency_result": lambda sdk, task: consistency(sdk, task),
    "export_consistency_results": lambda sdk, task: export(sdk, [{"task_id": task}]),
    "update_network_check_info": lambda sdk, task: network_check(sdk, NETWORK_CHECK, task),
    "update_task_speed": lambda sdk, task: progress(sdk, PROGRESS, task),
}


@pytest.mark.parametrize("call", TASK_CALLS.values(), ids=TASK_CALLS.keys())
def test_an_unknown_task_is_not_found(sdk: SdkSmsClient, call: Any) -> None:
    with pytest.raises(ClientRequestException) as caught:
        call(sdk, ABSENT)
    assert (caught.value.status_code, caught.value.error_code) == (404, "SMS.7703")


SOURCE_CALLS: dict[str, Callable[[SdkSmsClient, str], Any]] = {
    "show_command": command,
    "update_command_result": command_result,
}


@pytest.mark.parametrize("call", SOURCE_CALLS.values(), ids=SOURCE_CALLS.keys())
def test_an_unknown_source_is_not_found(sdk: SdkSmsClient, call: Any) -> None:
    with pytest.raises(ClientRequestException) as caught:
        call(sdk, "no-such-source")
    assert (caught.value.status_code, caught.value.error_code) == (404, "SMS.7602")


BAD_BODIES: dict[str, Callable[[SdkSmsClient], Any]] = {
    "network-loss-over-100": lambda sdk: network_check(sdk, {"loss_percentage": 100.5}),
    "command-no-result": lambda sdk: sdk.update_command_result(
        m.UpdateCommandResultRequest(
            server_id="src-sample-running", body=m.CommandBody(command_name="START")
        )
    ),
}


@pytest.mark.parametrize("call", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_body_the_contract_refuses_is_a_bad_request(
    sdk: SdkSmsClient, raw: Raw, call: Any
) -> None:
    before = raw(f"/v3/tasks/{TASK}")
    with pytest.raises(ClientRequestException) as caught:
        call(sdk)
    assert caught.value.status_code == 400
    assert caught.value.error_code in {"SMS.6011", "SMS.6013"}
    assert raw(f"/v3/tasks/{TASK}") == before
    assert raw(f"/v3/tasks/{TASK}/consistency-result")["result_list"] == []


# --- every operation of the SDK stays covered -------------------------------------------------


def sdk_operations() -> list[str]:
    suffix = "_http_info"
    return sorted(
        name[1 : -len(suffix)]
        for name in dir(SdkSmsClient)
        if name.startswith("_") and not name.startswith("__") and name.endswith(suffix)
    )


def test_every_sdk_operation_is_called_by_an_sdk_test_module() -> None:
    operations = sdk_operations()
    assert len(operations) == 49
    assert all(callable(getattr(SdkSmsClient, op, None)) for op in operations)
    here = Path(__file__).parent
    text = "\n".join((here / name).read_text(encoding="utf-8") for name in SDK_TEST_MODULES)
    uncalled = [op for op in operations if f".{op}(" not in text]
    assert uncalled == []
