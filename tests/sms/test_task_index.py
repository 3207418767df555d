"""GET /v3/tasks from the per-project index answers what a scan of every task would."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from sms_mock.mock_server import Config, create_app
from tests.support.accounts import password_body

NAMES = ["a", "b"]
STATES = ["READY", "RUNNING", "MIGRATE_SUCCESS", "MIGRATE_FAIL", "ABORT"]
IDS = [f"t{i}" for i in range(8)]
EPS = ["0", "eps-1"]

put = st.fixed_dictionaries(
    {
        "id": st.sampled_from(IDS),
        "name": st.sampled_from(NAMES),
        "state": st.sampled_from(STATES),
        "create_date": st.integers(1_600_000_000_000, 1_600_000_000_005),
        "enterprise_project_id": st.sampled_from(EPS),
        "source_server": st.fixed_dictionaries({"id": st.sampled_from(["s1", "s2"])}),
    }
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("put"), put),
        st.tuples(st.just("delete"), st.sampled_from(IDS)),
        st.tuples(st.just("start"), st.sampled_from(IDS)),
        st.tuples(st.just("advance"), st.integers(1, 600)),
    ),
    max_size=25,
)
queries = st.fixed_dictionaries(
    {},
    optional={
        "state": st.sampled_from(STATES),
        "name": st.sampled_from(NAMES),
        "id": st.sampled_from(IDS),
        "enterprise_project_id": st.sampled_from(EPS),
        "source_server_id": st.sampled_from(["s1", "s2"]),
        "offset": st.integers(0, 9),
        "limit": st.integers(0, 9),
    },
)


def _scan(client: FlaskClient, query: dict[str, Any]) -> dict[str, Any]:
    """The list as a scan of every task computes it."""
    docs = [
        row["task"]
        for row in client.get("/_mock/tasks").get_json()["tasks"]
        if row["project_id"] == "aa672d6a0df5c7904ce88d2f516d242d"
    ]
    wanted = {k: v for k, v in query.items() if k not in ("offset", "limit")}

    def matches(doc: dict[str, Any]) -> bool:
        for key, value in wanted.items():
            have = (
                (doc.get("source_server") or {}).get("id")
                if key == "source_server_id"
                else (doc.get(key))
            )
            if have != value:
                return False
        return True

    found = sorted(
        (d for d in docs if matches(d)), key=lambda d: (-(d.get("create_date") or 0), d["id"])
    )
    offset, limit = query.get("offset", 0), query.get("limit", 100)
    return {"count": len(found), "ids": [d["id"] for d in found[offset : offset + limit]]}


@settings(deadline=None)
@given(steps=steps, checks=st.lists(queries, min_size=1, max_size=4))
def test_the_indexed_list_is_the_scanned_list(steps: list[Any], checks: list[Any]) -> None:
    client = create_app(Config(clock="manual")).test_client()
    issued = client.post("/v3/auth/tokens", json=password_body())
    auth = {"X-Auth-Token": issued.headers["X-Subject-Token"]}
    for kind, value in steps:
        if kind == "put":
            assert client.post("/_mock/tasks", json=value).status_code == 201
        elif kind == "delete":
            client.delete(f"/v3/tasks/{value}", headers=auth)
        elif kind == "start":
            client.post(f"/v3/tasks/{value}/action", json={"operation": "start"}, headers=auth)
        else:
            client.post("/_mock/clock/advance", json={"seconds": value})
        for query in checks:
            listed = client.get("/v3/tasks", query_string=query, headers=auth).get_json()
            scanned = _scan(client, query)
            assert listed["count"] == scanned["count"], (query, listed, scanned)
            assert [t["id"] for t in listed["tasks"]] == scanned["ids"], query
            # A kept page and a kept brief are the tasks as they are now: the same page made
            # afresh, nothing kept (the same queries come back after every step, so a page kept
            # before a change is read after it).
            sms = client.application.extensions["sms_mock"].sms
            sms._briefs.clear()
            sms._pages.clear()
            fresh = client.get("/v3/tasks", query_string=query, headers=auth).get_json()
            assert listed == fresh, query


def test_a_page_read_again_is_the_page_as_its_tasks_are_now() -> None:
    """A page of tasks at rest is kept whole for the next read of the same query (README,
    "Performance"); that next read still answers the tasks as they are: after a task is
    added, a task is put again in its place with the same listed fields and another priority,
    a task is changed in place by an action, and a task is deleted."""
    client = create_app(Config(clock="manual")).test_client()
    issued = client.post("/v3/auth/tokens", json=password_body())
    auth = {"X-Auth-Token": issued.headers["X-Subject-Token"]}
    query = {"state": "READY", "limit": 3}

    def put(task_id: str, created: int, **fields: Any) -> None:
        task = {"id": task_id, "name": task_id, "state": "READY", "create_date": created}
        # No field the list's index reads is left to a default (a new id at each put).
        task["source_server"] = {"id": f"source-{task_id}"}
        task["target_server"] = {"vm_id": f"vm-{task_id}"}
        task.update(fields)
        assert client.post("/_mock/tasks", json=task).status_code == 201

    def page() -> dict[str, Any]:
        answer = client.get("/v3/tasks", query_string=query, headers=auth)
        assert answer.status_code == 200
        return answer.get_json()

    def by_id(listed: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {task["id"]: task for task in listed["tasks"]}

    put("t1", 2_000_000_000_001, priority=0)
    put("t2", 2_000_000_000_002, priority=0)
    first = page()
    assert [t["id"] for t in first["tasks"]] == ["t2", "t1", "sample-ready"]
    assert page() == first  # read again: the kept page

    put("t3", 2_000_000_000_003)
    added = page()
    assert added["count"] == first["count"] + 1
    assert [t["id"] for t in added["tasks"]] == ["t3", "t2", "t1"]

    put("t2", 2_000_000_000_002, priority=2)  # the same place in the list, another task
    assert by_id(page())["t2"]["priority"] == 2

    acted = client.post("/v3/tasks/t1/action", json={"operation": "network_check"}, headers=auth)
    assert acted.status_code == 200
    assert by_id(page())["t1"]["network_check_info"]["evaluation_result"] == "GOOD"

    assert client.delete("/v3/tasks/t3", headers=auth).status_code == 200
    deleted = page()
    assert deleted["count"] == first["count"]
    assert [t["id"] for t in deleted["tasks"]] == ["t2", "t1", "sample-ready"]
