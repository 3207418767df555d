"""What status an HTTP fault may answer (README, "Faults"): a final one, 200 to 599.

A 1xx is an interim answer: a keep-alive client reads it, then waits on the same connection
for the final answer, which never comes. Such a fault is refused where it is made, by
`POST /_mock/faults` and by a snapshot's restore alike, with the control plane's 400.
"""

from __future__ import annotations

import http.client

import pytest
import requests

from sms_mock.mock_server.serving.live import LiveServer
from tests.support.assertions import error_message

WAIT_S = 10
FINAL_ONLY = "A final status, from 200 to 599 (a 1xx is no answer a client can read)."


@pytest.mark.parametrize("status", [100, 101, 103, 199])
def test_an_http_fault_with_an_interim_status_is_refused(live: LiveServer, status: int) -> None:
    fault = {"match": {"path": "/v3/tasks"}, "status": status}
    answer = requests.post(f"{live.url}/_mock/faults", json=fault, timeout=WAIT_S)
    assert error_message(answer, 400, "MOCK.0400") == f"Invalid request. status: {FINAL_ONLY}"
    listed = requests.get(f"{live.url}/_mock/faults", timeout=WAIT_S).json()
    assert listed == {"faults": []}


def test_a_snapshot_holding_an_interim_fault_status_is_refused(live: LiveServer) -> None:
    url = live.url
    fault = {"match": {"path": "/v3/tasks"}, "status": 200, "body": {"faked": True}}
    requests.post(f"{url}/_mock/faults", json=fault, timeout=WAIT_S).raise_for_status()
    snapshot = requests.get(f"{url}/_mock/snapshot", timeout=WAIT_S).json()
    (row,) = snapshot["http_faults"]
    requests.delete(f"{url}/_mock/faults", timeout=WAIT_S).raise_for_status()
    poisoned = {**snapshot, "http_faults": [{**row, "status": 101}]}
    answer = requests.post(f"{url}/_mock/snapshot", json=poisoned, timeout=WAIT_S)
    assert error_message(answer, 400, "MOCK.0400").endswith(FINAL_ONLY)
    assert requests.get(f"{url}/_mock/faults", timeout=WAIT_S).json() == {"faults": []}


@pytest.mark.parametrize("status", [200, 204, 599])
def test_a_final_fault_status_leaves_a_keep_alive_connection_usable(
    live: LiveServer, status: int
) -> None:
    fault = {"match": {"path": "/v3/tasks"}, "status": status, "body": {"faked": True}}
    requests.post(f"{live.url}/_mock/faults", json=fault, timeout=WAIT_S).raise_for_status()
    connection = http.client.HTTPConnection("127.0.0.1", live.port, timeout=WAIT_S)
    try:
        connection.request("GET", "/v3/tasks")
        faked = connection.getresponse()
        faked.read()
        connection.request("GET", "/_mock/health")  # the same connection, the next request
        health = connection.getresponse()
        assert (faked.status, health.status) == (status, 200)
        assert health.read().startswith(b'{"status":"ok"')
    finally:
        connection.close()
