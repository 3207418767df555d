"""What every part of the bench shares: paths, the environment, the run's sizes and targets."""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMS_MOCK = str(Path(sys.executable).with_name("sms-mock"))
# A user's Python writes bytecode caches, and later starts read them; a sandbox that forbids
# writing them would make every start compile the emulator's sources again.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

PROJECT_ID = "aa672d6a0df5c7904ce88d2f516d242d"  # cn-north-4, the default project
SEED_TASK = "8abda8635e09d185015e09d188dd0001xx"  # the seed page's example: a frozen RUNNING task
ACTION_TASK = "sample-ready"  # READY: network_check is accepted every time, a 200 each time
TOKEN_BODY = json.dumps(
    {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": "mock-user",
                        "password": "mock-password",
                        "domain": {"name": "mock-domain"},
                    }
                },
            },
            "scope": {"project": {"id": PROJECT_ID}},
        }
    }
)
ACTION_BODY = '{"operation": "network_check"}'
JSON_TYPE = {"Content-Type": "application/json"}
GET_CALL = "GET /v3/tasks/{id}"

# The run's sizes live here, not in each measurement: results.md's method text cites them, and
# the HTTP figures and the 100,000 tasks share the load's bounds.
THREADS = 4  # waitress threads, both sides: `sms-mock serve`'s default
CONNECTIONS = 4  # keep-alive connections the load generator keeps busy
ROUNDS = 5  # emulator and floor each, alternating
SECONDS = 2.0  # per measurement, at most ...
MAX_REQUESTS = 20_000  # ... and at most this many requests
WARMUP_SECONDS = 0.5
START_RUNS = 7
FIXTURE_RUNS = 15
LIFECYCLE_RUNS = 31
BIG, SMALL = 100_000, 10
BIG_ROUNDS = 5


def median(values: list[float]) -> float:
    return statistics.median(values)


def log(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def rss_bytes() -> int:
    """This process's resident set now (not its peak), after a full collection."""
    gc.collect()
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
