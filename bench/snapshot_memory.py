"""The memory a snapshot's restore takes: peak and left resident, against the body's size.

`python -m bench.snapshot_memory` starts `sms-mock serve` (no state file, manual clock), posts
a real snapshot as large as `POST /_mock/snapshot` takes (the sample tasks again and again
under new ids, up to MAX_SNAPSHOT_BYTES), then a body of the same size shaped to cost the most
once parsed (`[{},{},...]` as its task list), and prints what the server's resident memory
grew by: at its peak (the kernel's high-water mark, reset before each post) and once the
answer came back. `--mib N` posts N MiB instead of the largest.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

from bench.common import SMS_MOCK

MIB = 1024 * 1024
LISTENING = re.compile(r"http://127\.0\.0\.1:(\d+)")


def real_snapshot(size: int) -> bytes:
    """A snapshot of the default fixtures whose task list is the sample tasks again and again,
    at rest, under new ids, until it is `size` bytes or just under."""
    from sms_mock.mock_server import Config, create_app

    app = create_app(Config(clock="manual"))
    snapshot = app.test_client().get("/_mock/snapshot").get_json()
    samples = [
        json.dumps({**t, "id": "ID", "doc": {**t["doc"], "id": "ID"}, "run": None, "timer": None})
        for t in snapshot["sms"]["tasks"]
    ]
    snapshot["sms"]["tasks"] = []
    frame = json.dumps(snapshot, separators=(",", ":"))
    head, tail = frame.split('"tasks":[]', 1)
    rows, used, index = [], len(head) + len(tail) + len('"tasks":[]'), 0
    while True:
        row = samples[index % len(samples)].replace('"ID"', f'"bench-{index:08d}"')
        if used + len(row) + 1 > size:
            break
        rows.append(row)
        used += len(row) + 1
        index += 1
    return f'{head}"tasks":[{",".join(rows)}]{tail}'.encode()


def costly_snapshot(size: int) -> bytes:
    """A body of `size` bytes whose task list is empty objects: 24 times its size once parsed."""
    head = b'{"format":"sms-mock-snapshot/2","sms":{"tasks":['
    tail = b"]}}"
    count = (size - len(head) - len(tail)) // 3
    return head + b",".join([b"{}"] * count) + tail


def _memory_mib(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {
        key: int(re.search(rf"{key}:\s+(\d+)", status).group(1)) // 1024  # type: ignore[union-attr]
        for key in ("VmRSS", "VmHWM")
    }


def restore_memory(body: bytes) -> dict[str, Any]:
    """Post `body` to a fresh `sms-mock serve`: its answer, and its resident memory's growth at
    the peak and after, in MiB."""
    process = subprocess.Popen(
        [SMS_MOCK, "serve", "--port", "0", "--clock", "manual"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        match = LISTENING.search(process.stdout.readline())
        assert match, "sms-mock serve did not say where it listens"
        url = f"http://127.0.0.1:{match.group(1)}"
        requests.get(f"{url}/_mock/health", timeout=30)
        before = _memory_mib(process.pid)["VmRSS"]
        Path(f"/proc/{process.pid}/clear_refs").write_text("5")  # the high-water mark: now
        started = time.monotonic()
        answer = requests.post(
            f"{url}/_mock/snapshot",
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=600,
        )
        seconds = time.monotonic() - started
        after = _memory_mib(process.pid)
        return {
            "body_mib": round(len(body) / MIB, 1),
            "status": answer.status_code,
            "code": answer.json().get("error_code"),
            "seconds": round(seconds, 1),
            "peak_mib": after["VmHWM"] - before,
            "resident_mib": after["VmRSS"] - before,
            "peak_times_body": round((after["VmHWM"] - before) * MIB / len(body), 2),
        }
    finally:
        process.kill()
        process.wait(timeout=10)


def main() -> None:
    from sms_mock.mock_server.control.routes import MAX_SNAPSHOT_BYTES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=float, help="the body's size (default: the largest taken)")
    args = parser.parse_args()
    size = int(args.mib * MIB) if args.mib else MAX_SNAPSHOT_BYTES
    for name, body in (("real", real_snapshot(size)), ("costly", costly_snapshot(size))):
        figures = restore_memory(body)
        print(json.dumps({"snapshot": name, **figures}), flush=True)


if __name__ == "__main__":
    main()
