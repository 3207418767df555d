"""The control plane (`/_mock`) of an emulator over HTTP, for tests: through
`sms_mock.control.ControlPlane`, the client the command line and the pytest plugin use, so that
tests drive the emulator as users do.

A test module that imports `control_fixture` takes the `control` fixture: `control.advance(60)`,
`control.put_task({...})`, `control.snapshot()`, `control.add_fault({...})`, ...; a call the
control plane refuses raises `sms_mock.control.ControlError`. Tests through the Flask test
client have their own helpers in `tests/support/helpers.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sms_mock.control import ControlPlane
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import PROJECT_ID


@pytest.fixture(name="control")
def control_fixture(live: LiveServer) -> Iterator[ControlPlane]:
    """The control plane of the `live` emulator (reset for the test)."""
    with ControlPlane(live.url) as plane:
        yield plane


def now_ms(control: ControlPlane) -> int:
    """The emulator's clock, in milliseconds."""
    return control.clock()["now_ms"]


def held_task(control: ControlPlane, task_id: str, project_id: str = PROJECT_ID) -> dict[str, Any]:
    """A task as the emulator holds it (its document in the snapshot, with what no API call
    renders, such as its settings)."""
    [task] = [
        t
        for t in control.snapshot()["sms"]["tasks"]
        if t["id"] == task_id and t["project_id"] == project_id
    ]
    return task


def held_source(
    control: ControlPlane, source_id: str, project_id: str = PROJECT_ID
) -> dict[str, Any]:
    """A source server's document as the emulator holds it (in the snapshot)."""
    [source] = [
        r["doc"]
        for r in control.snapshot()["sms"]["resources"]
        if r["kind"] == "source" and r["id"] == source_id and r["project_id"] == project_id
    ]
    return source


def free_source_at(url: str, project: str | None = None, **doc: Any) -> str:
    """Put a source server with no task in, into the emulator at `url`; its id.

    `doc` is any subset of GET /v3/sources/{id} (`id="src-x"`, `name=...`); without an id the
    emulator makes one. `project` is an id or a name (the default project without it).
    """
    with ControlPlane(url) as plane:
        return plane.put_source(doc, project)["id"]
