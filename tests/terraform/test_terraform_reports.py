"""Terraform's huaweicloud provider on the agent's report resources and data sources (spec
section B13), replayed as raw HTTP against a live emulator with a token.

Each resource sends what its create step sends (`buildCreate...BodyParams`, then
`utils.RemoveNil`; only the create calls SMS, read and update do nothing), and each data source
reads its answer with gjson as the provider does: `.Value()` into `d.Set`, a JSON number as
float64 (into a TypeInt or TypeFloat), a string only into a TypeString; `schemas.SliceToList`
and `schemas.ObjectToList` for nested blocks. A test failing here is a place where the emulator
answers differently from what the provider needs.

The resources and data sources:
- huaweicloud_sms_task_progress_report: PUT v3/tasks/{task_id}/progress
- huaweicloud_sms_task_log_upload: POST v3/tasks/{task_id}/log
- huaweicloud_sms_task_consistency_result_report: POST v3/tasks/{task_id}/consistency-result
- data huaweicloud_sms_task_consistency_results: GET /v3/tasks/{task_id}/consistency-result
- huaweicloud_sms_task_network_check_info_report: POST v3/{task_id}/update-network-check-info
- data huaweicloud_sms_source_server_command: GET /v3/sources/{server_id}/command
- huaweicloud_sms_source_server_command_result_report: POST v3/sources/{server_id}/command_result
- data huaweicloud_sms_task_ssl_certificate_and_private_key: GET /v3/tasks/{task_id}/certkey
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from sms_mock.control import ControlPlane
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import password_body
from tests.support.control import (
    control_fixture,  # noqa: F401 (the control fixture)
    held_source,
    held_task,
    now_ms,
)
from tests.support.terraform import (
    JSON,
    ProviderError,
    Tf,
    go_decode,
    helper_query,
    ok,
    remove_nil,
    tf_set,
    value_ignore_empty,
)

TASK = "sample-ready"  # READY, on src-sample-ready
RUNNING = "sample-running"  # RUNNING, on src-sample-running
ABSENT = "no-such-task"


@pytest.fixture
def tf(live: LiveServer) -> Tf:
    """The provider, logged in with a token of the default user for cn-north-4."""
    response = requests.post(f"{live.url}/v3/auth/tokens", json=password_body(), timeout=10)
    assert response.status_code == 201, response.text
    return Tf(live.url, response.headers["X-Subject-Token"])


def task(tf: Tf, task_id: str) -> dict[str, Any]:
    """GET v3/tasks/{id}, as the sms_task resource reads it."""
    return ok(tf.raw("GET", f"/v3/tasks/{task_id}"))


def go_number(value: float) -> float:
    """A TypeFloat as Go's encoding/json writes a float64: 20.0 is `20`."""
    return int(value) if float(value).is_integer() else value


# --- gjson reads into d.Set ---------------------------------------------------------------


def gj_set(value: Any, kind: str, where: str) -> Any:
    """`d.Set(key, result.Get(key).Value())` into a schema attribute of `kind`: "string",
    "bool", or "int"/"float" (any JSON number, a float64 from gjson); null clears it."""
    if kind in ("int", "float"):
        go_decode(value, "float", where)
        return value
    return tf_set(value, kind, where)


def slice_to_list(value: Any) -> list[Any]:
    """`schemas.SliceToList`: gjson's `Array()` of a result: null nothing, a non-array one."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def object_to_list(value: Any) -> list[Any]:
    """`schemas.ObjectToList`: a present result is a one-block list."""
    return [] if value is None else [value]


def gj_get(value: Any, key: str) -> Any:
    """`result.Get(key).Value()`: nothing on a result that is not an object."""
    return value.get(key) if isinstance(value, dict) else None


# --- huaweicloud_sms_task_progress_report ---------------------------------------------------

PROGRESS_REQUIRED = ("subtask_name", "progress", "replicatesize", "totalsize", "process_trace")
PROGRESS_OPTIONAL_INTS = (
    "migrate_speed", "compress_rate", "remain_time", "total_cpu_usage", "agent_cpu_usage",
    "total_mem_usage", "agent_mem_usage", "total_disk_io", "agent_disk_io",
)  # fmt: skip
# The documentation's example.
PROGRESS_EXAMPLE = {
    "subtask_name": "DETTACH_AGENT_IMAGE",
    "progress": 100,
    "replicatesize": 1000,
    "totalsize": 100000,
    "process_trace": "migrate details",
}


def progress_body(config: dict[str, Any]) -> dict[str, Any]:
    """`buildCreateTaskProgressReportBodyParams`, then RemoveNil: the required values as they
    are (0 included), the optional ints and `agent_time` only when set, the bool always."""
    body: dict[str, Any] = {k: config.get(k, 0) for k in PROGRESS_REQUIRED}
    body.update({k: value_ignore_empty(config.get(k, 0)) for k in PROGRESS_OPTIONAL_INTS})
    body["need_migration_test"] = value_ignore_empty(config.get("need_migration_test", False))
    body["agent_time"] = value_ignore_empty(config.get("agent_time", ""))
    return remove_nil(body)


def report_progress(tf: Tf, task_id: str, config: dict[str, Any]) -> dict[str, Any]:
    body = progress_body(config)
    ok(tf.raw("PUT", f"/v3/tasks/{task_id}/progress", body))
    return body


def test_task_progress_report_of_the_example_is_recorded(tf: Tf, control: ControlPlane) -> None:
    before = task(tf, RUNNING)
    at = now_ms(control)
    body = report_progress(tf, RUNNING, PROGRESS_EXAMPLE)
    assert body == {**PROGRESS_EXAMPLE, "need_migration_test": False}
    assert tf.calls[-1].headers["Content-Type"] == JSON
    assert held_task(control, RUNNING)["settings"]["progress_report"] == {**body, "at": at}
    after = task(tf, RUNNING)
    assert after["sub_tasks"] == before["sub_tasks"]  # a task on the clock: never moved
    assert after["state"] == before["state"] == "RUNNING"


def test_task_progress_report_with_every_optional_field(tf: Tf, control: ControlPlane) -> None:
    config = {
        **PROGRESS_EXAMPLE,
        "subtask_name": "MIGRATE_LINUX_FILE",
        "progress": 0,  # required: sent as 0
        "migrate_speed": 800,
        "compress_rate": 2,
        "remain_time": 3600,
        "total_cpu_usage": 40,
        "agent_cpu_usage": 12,
        "total_mem_usage": 2048,
        "agent_mem_usage": 256,
        "total_disk_io": 110,
        "agent_disk_io": 90,
        "need_migration_test": True,
        "agent_time": "2026-12-01 10:00:00",
    }
    body = report_progress(tf, TASK, config)
    assert body == config
    reported = held_task(control, TASK)["settings"]["progress_report"]
    assert {k: v for k, v in reported.items() if k != "at"} == body
    assert task(tf, TASK)["state"] == "READY"


def test_task_progress_report_of_an_unknown_task_fails_the_create(tf: Tf) -> None:
    with pytest.raises(ProviderError, match="404"):
        report_progress(tf, ABSENT, PROGRESS_EXAMPLE)


# --- huaweicloud_sms_task_log_upload --------------------------------------------------------


def upload_log(tf: Tf, task_id: str, bucket: str) -> None:
    """`taskLogUpload`: JSONBody {log_bucket}, no MoreHeaders (golangsdk adds the type)."""
    ok(tf.typed("POST", f"/v3/tasks/{task_id}/log", {"log_bucket": bucket}))


def test_task_log_upload_starts_a_collection_on_the_clock(tf: Tf, control: ControlPlane) -> None:
    upload_log(tf, TASK, "tf-log-bucket")
    assert tf.calls[-1].headers["Content-Type"] == JSON
    assert task(tf, TASK)["log_collect_status"] == "INIT"
    control.advance(1)
    assert task(tf, TASK)["log_collect_status"] == "UPLOADING"
    control.advance(9)
    assert task(tf, TASK)["log_collect_status"] == "UPLOADED"
    source = ok(tf.raw("GET", "/v3/sources/src-sample-ready"))
    current = source["current_task"]
    assert tf_set(current["log_collect_status"], "string", "log_collect_status") == "UPLOADED"


def test_task_log_upload_of_an_unknown_task_fails_the_create(tf: Tf) -> None:
    with pytest.raises(ProviderError, match="404"):
        upload_log(tf, ABSENT, "tf-log-bucket")


# --- huaweicloud_sms_task_consistency_result_report and its data source --------------------

DIRECTORY_KEYS = (
    "dir_check",
    "num_total_files",
    "num_different_files",
    "num_target_miss_files",
    "num_target_more_files",
)
DIRECTORIES = [
    {"dir_check": "/etc", "num_total_files": 120, "num_different_files": 0,
     "num_target_miss_files": 0, "num_target_more_files": 0},
    {"dir_check": "/var/www", "num_total_files": 4096, "num_different_files": 3,
     "num_target_miss_files": 1, "num_target_more_files": 2},
]  # fmt: skip


def consistency_body(directories: list[dict[str, Any]]) -> dict[str, Any]:
    """`buildTaskConsistencyResultReportCreateOpts`, then RemoveNil (every key is required in
    a block, so a block sends all five)."""
    return remove_nil(
        {"consistency_result": [{k: d[k] for k in DIRECTORY_KEYS} for d in directories]}
    )


def report_consistency(tf: Tf, task_id: str, directories: list[dict[str, Any]]) -> None:
    ok(tf.raw("POST", f"/v3/tasks/{task_id}/consistency-result", consistency_body(directories)))


CHECK_READS = {"finished_time": "int", "check_result": "string"}
DIRECTORY_READS = {
    "dir_check": "string",
    "num_total_files": "int",
    "num_different_files": "int",
    "num_target_miss_files": "int",
    "num_target_more_files": "int",
}


def consistency_results(tf: Tf, task_id: str) -> list[dict[str, Any]]:
    """data.huaweicloud_sms_task_consistency_results: `result_list` as the data source sets
    it."""
    body = ok(tf.helper("GET", f"/v3/tasks/{task_id}/consistency-result"))
    out = []
    for index, check in enumerate(slice_to_list(gj_get(body, "result_list"))):
        here = f"result_list[{index}]"
        row = {k: gj_set(gj_get(check, k), kind, f"{here}.{k}") for k, kind in CHECK_READS.items()}
        row["consistency_result"] = [
            {
                k: gj_set(gj_get(d, k), kind, f"{here}.consistency_result[{i}].{k}")
                for k, kind in DIRECTORY_READS.items()
            }
            for i, d in enumerate(slice_to_list(gj_get(check, "consistency_result")))
        ]
        out.append(row)
    return out


def test_task_consistency_results_of_a_task_without_checks_is_empty(tf: Tf) -> None:
    assert consistency_results(tf, TASK) == []
    assert tf.calls[-1].headers["X-Language"] == "en-us"


def test_task_consistency_result_report_then_the_data_source_reads_it(
    tf: Tf, control: ControlPlane
) -> None:
    first_at = now_ms(control)
    report_consistency(tf, TASK, DIRECTORIES[:1])
    assert tf.calls[-1].headers["Content-Type"] == JSON
    control.advance(30)
    report_consistency(tf, TASK, DIRECTORIES)
    results = consistency_results(tf, TASK)
    assert results == [
        {"finished_time": first_at, "check_result": "OK", "consistency_result": DIRECTORIES[:1]},
        {"finished_time": first_at + 30_000, "check_result": "FAIL",
         "consistency_result": DIRECTORIES},
    ]  # fmt: skip
    for check in results:  # TypeInt attributes: JSON integers, not floats or strings
        assert type(check["finished_time"]) is int
        assert all(type(d[k]) is int for d in check["consistency_result"]
                   for k in DIRECTORY_KEYS[1:])  # fmt: skip


def test_task_consistency_result_report_without_blocks_is_accepted(tf: Tf) -> None:
    # `consistency_result` is an Optional block: none gives an empty []map, which RemoveNil
    # drops, so the provider POSTs `{}` (the SDK's model has the key optional too).
    body = consistency_body([])
    assert body == {}
    ok(tf.raw("POST", f"/v3/tasks/{TASK}/consistency-result", body))
    assert isinstance(consistency_results(tf, TASK), list)


def test_task_consistency_results_are_the_tasks_own(tf: Tf) -> None:
    report_consistency(tf, TASK, DIRECTORIES)
    assert consistency_results(tf, RUNNING) == []
    assert len(consistency_results(tf, TASK)) == 1


def test_task_consistency_result_report_of_an_unknown_task_fails_the_create(tf: Tf) -> None:
    with pytest.raises(ProviderError, match="404"):
        report_consistency(tf, ABSENT, DIRECTORIES)
    with pytest.raises(ProviderError, match="404"):
        consistency_results(tf, ABSENT)


# --- huaweicloud_sms_task_network_check_info_report -----------------------------------------

NETWORK_FLOATS = (
    "network_delay", "network_jitter", "migration_speed", "loss_percentage", "cpu_usage",
    "mem_usage",
)  # fmt: skip
# The documentation's example, with an evaluation result.
NETWORK_EXAMPLE = {
    "network_delay": 20.0,
    "network_jitter": 2.0,
    "migration_speed": 100.0,
    "loss_percentage": 0.0,
    "cpu_usage": 20.0,
    "mem_usage": 20.0,
    "evaluation_result": "GOOD",
}


def network_body(config: dict[str, Any]) -> dict[str, Any]:
    """`buildUpdateTaskNetworkCheckInfoBodyParams`, then RemoveNil: the TypeFloats as Go
    writes them (0.0 is `0`, sent), the bools always (false is not empty to ValueIgnoreEmpty)."""
    body: dict[str, Any] = {k: go_number(config.get(k, 0.0)) for k in NETWORK_FLOATS}
    body["evaluation_result"] = config.get("evaluation_result", "")
    for key in ("domain_connectivity", "destination_connectivity"):
        body[key] = value_ignore_empty(config.get(key, False))
    return remove_nil(body)


def report_network(tf: Tf, task_id: str, config: dict[str, Any]) -> dict[str, Any]:
    """`updateTaskNetworkCheckInfo`: no MoreHeaders, and no `tasks/` in the path."""
    body = network_body(config)
    ok(tf.typed("POST", f"/v3/{task_id}/update-network-check-info", body))
    return body


def test_task_network_check_info_report_of_the_example_fills_the_task(tf: Tf) -> None:
    body = report_network(tf, TASK, NETWORK_EXAMPLE)
    assert body == {
        "network_delay": 20, "network_jitter": 2, "migration_speed": 100, "loss_percentage": 0,
        "cpu_usage": 20, "mem_usage": 20, "evaluation_result": "GOOD",
        "domain_connectivity": False, "destination_connectivity": False,
    }  # fmt: skip
    assert tf.calls[-1].headers["Content-Type"] == JSON
    info = task(tf, TASK)["network_check_info"]
    assert info == body


def test_task_network_check_info_report_with_fractions_and_connectivity(tf: Tf) -> None:
    config = {
        **NETWORK_EXAMPLE,
        "network_delay": 12.5,
        "loss_percentage": 0.25,
        "mem_usage": 61.75,
        "evaluation_result": "POOR",
        "domain_connectivity": True,
        "destination_connectivity": True,
    }
    body = report_network(tf, RUNNING, config)
    info = task(tf, RUNNING)["network_check_info"]
    assert info == body
    # What the tasks data source reads of it: an object.
    listed = ok(tf.helper("GET", f"/v3/tasks?id={RUNNING}&limit=100&offset=0"))
    assert listed["tasks"][0]["network_check_info"] == body


def test_task_network_check_info_report_of_an_unknown_task_fails_the_create(tf: Tf) -> None:
    with pytest.raises(ProviderError, match="404"):
        report_network(tf, ABSENT, NETWORK_EXAMPLE)


# --- data huaweicloud_sms_source_server_command ---------------------------------------------


def source_server_command(tf: Tf, server_id: str) -> dict[str, Any]:
    """data.huaweicloud_sms_source_server_command: `command_name` and the one
    `command_param` block."""
    body = ok(tf.helper("GET", f"/v3/sources/{server_id}/command"))
    return {
        "command_name": gj_set(gj_get(body, "command_name"), "string", "command_name"),
        "command_param": [
            {
                key: gj_set(gj_get(param, key), "string", f"command_param.{key}")
                for key in ("task_id", "bucket")
            }
            for param in object_to_list(gj_get(body, "command_param"))
        ],
    }


@pytest.mark.parametrize(
    ("server_id", "task_id", "name"),
    [
        ("src-sample-running", RUNNING, "START"),
        ("src-sample-ready", TASK, "TASK_NOT_STARTED"),
        ("src-sample-abort", "sample-abort", "TASK_HAS_STOPPED"),
        ("src-sample-migrate-success", "sample-migrate-success", "TASK_HAS_FINISHED"),
    ],
)
def test_source_server_command_reads_the_name_and_its_task(
    tf: Tf, server_id: str, task_id: str, name: str
) -> None:
    assert source_server_command(tf, server_id) == {
        "command_name": name,
        "command_param": [{"task_id": task_id, "bucket": None}],
    }


def test_source_server_command_carries_the_log_bucket(tf: Tf) -> None:
    upload_log(tf, RUNNING, "tf-log-bucket")
    state = source_server_command(tf, "src-sample-running")
    assert state["command_param"] == [{"task_id": RUNNING, "bucket": "tf-log-bucket"}]


def test_source_server_command_of_a_source_without_a_task_fails_the_read(tf: Tf) -> None:
    with pytest.raises(ProviderError, match="404"):
        source_server_command(tf, "src-linux-file")
    answer = tf.helper("GET", "/v3/sources/src-linux-file/command")
    assert answer.json()["error_code"] == "SMS.7606"


# --- huaweicloud_sms_source_server_command_result_report ------------------------------------


def parse_json(text: str) -> Any:
    """The resource's `parseJson`: "" is nil, JSON is decoded, anything else sent as is."""
    if text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def command_result_body(command_name: str, result: str, result_detail: str) -> dict[str, Any]:
    return remove_nil(
        {
            "command_name": command_name,
            "result": result,
            "result_detail": parse_json(result_detail),
        }
    )


def report_command_result(
    tf: Tf, server_id: str, command_name: str, result: str, result_detail: str
) -> dict[str, Any]:
    body = command_result_body(command_name, result, result_detail)
    ok(tf.typed("POST", f"/v3/sources/{server_id}/command_result", body))
    return body


def test_source_server_command_result_report_of_the_example_is_recorded(
    tf: Tf, control: ControlPlane
) -> None:
    at = now_ms(control)
    detail = json.dumps({"msg": "test"})  # jsonencode({"msg": "test"})
    body = report_command_result(tf, "src-sample-running", "START", "success", detail)
    assert body == {"command_name": "START", "result": "success", "result_detail": {"msg": "test"}}
    assert tf.calls[-1].headers["Content-Type"] == JSON
    recorded = held_source(control, "src-sample-running")["_command_results"]
    assert recorded == [{**body, "at": at}]


def test_source_server_command_result_report_with_a_nested_detail(
    tf: Tf, control: ControlPlane
) -> None:
    detail = json.dumps({"pid": 4242, "steps": ["mount", "copy"], "ok": True, "rate": 0.5})
    body = report_command_result(tf, "src-sample-ready", "UPLOAD_LOG", "fail", detail)
    recorded = held_source(control, "src-sample-ready")["_command_results"]
    assert [{k: v for k, v in r.items() if k != "at"} for r in recorded] == [body]


def test_source_server_command_result_report_stop_stops_a_stopping_task(tf: Tf) -> None:
    ok(tf.typed("POST", f"/v3/tasks/{RUNNING}/action", {"operation": "stop"}))
    assert source_server_command(tf, "src-sample-running")["command_name"] == "STOP"
    report_command_result(tf, "src-sample-running", "STOP", "success", json.dumps({"msg": "x"}))
    assert task(tf, RUNNING)["state"] == "ABORT"
    assert source_server_command(tf, "src-sample-running")["command_name"] == "TASK_HAS_STOPPED"


def test_source_server_command_result_report_of_an_unknown_source_fails(tf: Tf) -> None:
    with pytest.raises(ProviderError, match="404"):
        report_command_result(tf, "no-such-source", "START", "success", "{}")


# --- data huaweicloud_sms_task_ssl_certificate_and_private_key ------------------------------

CERT_KEYS = (
    "cert", "private_key", "ca", "target_mgmt_cert", "target_mgmt_private_key",
    "target_data_cert", "target_data_private_key",
)  # fmt: skip


def ssl_certificate_and_private_key(
    tf: Tf, task_id: str, enable_ca_cert: bool = False
) -> dict[str, Any]:
    """The data source: `enable_ca_cert` always in the query (a bool survives RemoveNil and
    httphelper's query map), the seven keys set as strings."""
    query = urlencode(helper_query({"enable_ca_cert": enable_ca_cert}))
    body = ok(tf.helper("GET", f"/v3/tasks/{task_id}/certkey?{query}"))
    return {key: gj_set(gj_get(body, key), "string", key) for key in CERT_KEYS}


def test_ssl_certificate_and_private_key_with_the_ca_answers_seven_strings(tf: Tf) -> None:
    state = ssl_certificate_and_private_key(tf, TASK, enable_ca_cert=True)
    assert tf.calls[-1].path.endswith("/certkey?enable_ca_cert=true")
    for key in CERT_KEYS:
        assert isinstance(state[key], str) and state[key].startswith("-----BEGIN "), key
    assert len(set(state.values())) == len(CERT_KEYS)


def test_ssl_certificate_and_private_key_without_the_ca(tf: Tf) -> None:
    state = ssl_certificate_and_private_key(tf, TASK)
    assert tf.calls[-1].path.endswith("/certkey?enable_ca_cert=false")
    assert state["ca"] is None
    with_ca = ssl_certificate_and_private_key(tf, TASK, enable_ca_cert=True)
    assert {k: v for k, v in with_ca.items() if k != "ca"} == {
        k: v for k, v in state.items() if k != "ca"
    }


def test_ssl_certificate_and_private_key_is_stable_per_task(tf: Tf) -> None:
    first = ssl_certificate_and_private_key(tf, TASK, enable_ca_cert=True)
    assert ssl_certificate_and_private_key(tf, TASK, enable_ca_cert=True) == first
    other = ssl_certificate_and_private_key(tf, RUNNING, enable_ca_cert=True)
    assert all(other[key] != first[key] for key in CERT_KEYS)


def test_ssl_certificate_and_private_key_of_an_unknown_task_fails_the_read(tf: Tf) -> None:
    with pytest.raises(ProviderError, match="404"):
        ssl_certificate_and_private_key(tf, ABSENT, enable_ca_cert=True)
