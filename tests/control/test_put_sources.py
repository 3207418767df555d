"""`POST /_mock/sources` over HTTP: a source is put in as given, except `current_task`,
`init_target_server` and `migprojectid`, which are derived (README, "The control plane"):

- `current_task` is the task of the source's project that names it (`source_server.id`), put in
  before the source or after it, and null while none does; another project's task never is;
- `init_target_server` suggests a target disk for each source disk it migrates, at its adjusted
  size, with the volumes it migrates;
- `migprojectid` is the project's default migration project (`SystemProject`), which new sources
  join.

Whatever a document gives for these three keys is not taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sms_mock.control import ControlPlane
from sms_mock.mock_server.serving.live import LiveServer

OTHER_PROJECT = "ap-southeast-3"
GIVEN_DERIVED = {
    "current_task": {"id": "sample-ready", "name": "ready-web-01", "state": "READY"},
    "init_target_server": {"disks": [], "volume_groups": []},
    "migprojectid": "0123456789abcdef0123456789abcdef",
}


@pytest.fixture
def control(live: LiveServer) -> Iterator[ControlPlane]:
    with ControlPlane(live.url) as plane:
        yield plane


def api_get(live: LiveServer, control: ControlPlane, path: str, project: str | None) -> Any:
    """A GET of the public API with a token of `project` (the default one for None)."""
    token = control.project_token(project)["token"]
    response = requests.get(f"{live.url}{path}", headers={"X-Auth-Token": token}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def default_migproject(live: LiveServer, control: ControlPlane, project: str | None) -> str:
    listed = api_get(live, control, "/v3/migprojects", project)["migprojects"]
    (default,) = [m for m in listed if m["isdefault"]]
    assert default["name"] == "SystemProject"
    return default["id"]


@pytest.mark.parametrize("project", [pytest.param(None, id="default"), OTHER_PROJECT])
def test_the_derived_keys_a_document_gives_are_not_taken(
    live: LiveServer, control: ControlPlane, project: str | None
) -> None:
    put = control.put_source({"id": "src-qa", "name": "qa-01", **GIVEN_DERIVED}, project)
    assert put["name"] == "qa-01"  # the rest is taken as given
    assert put["current_task"] is None  # no task names it
    assert put["migprojectid"] == default_migproject(live, control, project)
    # The default 40 GiB boot disk is what the target is suggested for.
    (disk,) = put["init_target_server"]["disks"]
    assert (disk["name"], disk["size"], disk["device_use"]) == ("/dev/sda", 42949672960, "BOOT")
    assert [v["name"] for v in disk["physical_volumes"]] == ["/dev/sda1"]
    assert api_get(live, control, "/v3/sources/src-qa", project) == put


def test_a_task_of_the_project_that_names_the_source_is_its_current_task(
    live: LiveServer, control: ControlPlane
) -> None:
    target = {"vm_id": "ecs-qa-01", "name": "qa-01-target"}
    control.put_task({"id": "named-before", "name": "before", "state": "MIGRATE_FAIL",
                      "source_server": {"id": "src-before"}, "target_server": target})  # fmt: skip
    control.put_task({"id": "elsewhere", "source_server": {"id": "src-after"}}, OTHER_PROJECT)

    before = control.put_source({"id": "src-before", **GIVEN_DERIVED})["current_task"]
    assert (before["id"], before["name"], before["state"]) == ("named-before", "before",
                                                               "MIGRATE_FAIL")  # fmt: skip
    assert before["target_server"] == target
    assert before["clone_server"] is None  # Terraform reads it as a list

    # Put in first, the source has no task; the other project's task naming it is not its task.
    assert control.put_source({"id": "src-after"})["current_task"] is None
    control.put_task({"id": "named-after", "source_server": {"id": "src-after"}})
    after = api_get(live, control, "/v3/sources/src-after", None)["current_task"]
    assert (after["id"], after["state"]) == ("named-after", "READY")
    elsewhere = control.put_source({"id": "src-after"}, OTHER_PROJECT)["current_task"]
    assert elsewhere["id"] == "elsewhere"


def test_the_suggested_target_has_the_disks_and_volumes_to_migrate_at_their_adjusted_size(
    control: ControlPlane,
) -> None:
    disks = [
        {"name": "/dev/vda", "size": 107374182400, "used_size": 5368709120, "device_use": "BOOT",
         "adjust_size": 214748364800,
         "physical_volumes": [
             {"name": "/dev/vda1", "mount_point": "/", "size": 64424509440,
              "used_size": 4294967296},
             {"name": "/dev/vda2", "mount_point": "/scratch", "size": 42949672960,
              "used_size": 1073741824, "need_migration": False},
         ]},
        {"name": "/dev/vdb", "size": 53687091200, "used_size": 1073741824,
         "device_use": "NORMAL", "need_migration": False, "physical_volumes": []},
    ]  # fmt: skip
    put = control.put_source({"id": "src-disks", "disks": disks, **GIVEN_DERIVED})
    suggested = put["init_target_server"]
    assert [d["name"] for d in suggested["disks"]] == ["/dev/vda"]  # /dev/vdb is not migrated
    (disk,) = suggested["disks"]
    assert (disk["size"], disk["used_size"], disk["device_use"]) == (
        214748364800, 5368709120, "BOOT",
    )  # fmt: skip
    volumes = [(v["name"], v["mount_point"], v["size"]) for v in disk["physical_volumes"]]
    assert volumes == [("/dev/vda1", "/", 64424509440)]  # /dev/vda2 is not migrated
    # The source's own disks are kept, both of them.
    assert [d["name"] for d in put["disks"]] == ["/dev/vda", "/dev/vdb"]
