"""What a snapshot's restore may cost (README, "Snapshots and persistence").

Specified here: a body whose parse would take more than SNAPSHOT_PARSE_FACTOR times its size is
refused before it is parsed (413 `MOCK.0430`), changing nothing, so that a restore's peak stays
a few times the body's size whatever its shape; over real HTTP, the server's resident memory
does not grow past that. `bench/snapshot_memory.py` measures the largest body taken.
"""

from __future__ import annotations

import re
from pathlib import Path

import requests
from flask.testing import FlaskClient

from sms_mock.mock_server.control.routes import SNAPSHOT_PARSE_FACTOR, SNAPSHOT_PARSE_SLACK
from sms_mock.mock_server.core.json_cost import parsed_bytes
from tests.support.assertions import error_message
from tests.support.servers import SMS_MOCK, serving

MIB = 1024 * 1024


def empty_objects(size: int) -> bytes:
    """A snapshot-looking body of about `size` bytes whose task list is `{}` again and again:
    three bytes of JSON each, a 64-byte dict and its list slot once parsed."""
    head, tail = b'{"format":"sms-mock-snapshot/2","sms":{"tasks":[', b"]}}"
    return head + b",".join([b"{}"] * ((size - len(head) - len(tail)) // 3)) + tail


def test_a_snapshot_that_would_cost_too_much_to_parse_is_refused_unparsed(
    client: FlaskClient,
) -> None:
    before = client.get("/_mock/snapshot").get_json()
    body = empty_objects(2 * MIB)
    response = client.post(
        "/_mock/snapshot", data=body, headers={"Content-Type": "application/json"}
    )
    message = error_message(response, 413, "MOCK.0430")
    assert re.fullmatch(
        rf"The snapshot would take too much memory to read\. Its {len(body):,} bytes would "
        rf"take about [\d,]+ bytes once parsed, more than {SNAPSHOT_PARSE_FACTOR} times their "
        r"size\.",
        message,
    ), message
    assert client.get("/_mock/snapshot").get_json() == before


def test_the_estimate_is_above_what_the_parse_takes_and_a_real_snapshot_passes(
    client: FlaskClient,
) -> None:
    real = client.get("/_mock/snapshot").get_data()
    assert parsed_bytes(real) < SNAPSHOT_PARSE_FACTOR * len(real)
    # Small bodies are not estimated at all: whatever their shape, they parse small.
    small = empty_objects(SNAPSHOT_PARSE_SLACK - 1024)
    answer = client.post(
        "/_mock/snapshot", data=small, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400  # refused by the contract, not by its cost


def _memory_mib(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {
        key: int(re.search(rf"{key}:\s+(\d+)", status).group(1)) // 1024  # type: ignore[union-attr]
        for key in ("VmRSS", "VmHWM")
    }


def test_over_http_a_costly_snapshot_does_not_take_the_servers_memory() -> None:
    # 8 MiB of `{}` parsed into about 200 MiB and held what it parsed: now it is refused having
    # cost the body's bytes and little more.
    body = empty_objects(8 * MIB)
    with serving(SMS_MOCK, "serve", "--clock", "manual") as (process, url):
        assert requests.get(f"{url}/_mock/health", timeout=10).status_code == 200
        before = _memory_mib(process.pid)["VmRSS"]
        Path(f"/proc/{process.pid}/clear_refs").write_text("5")  # its high-water mark: now
        answer = requests.post(
            f"{url}/_mock/snapshot",
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        after = _memory_mib(process.pid)
    assert answer.status_code == 413 and answer.json()["error_code"] == "MOCK.0430"
    body_mib = len(body) / MIB
    assert after["VmHWM"] - before <= 3 * body_mib, (after, before)
    assert after["VmRSS"] - before <= 2 * body_mib, (after, before)
