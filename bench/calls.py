"""The requests the bench repeats, and the load generator run against one server at a time."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from bench.common import CONNECTIONS, ENV, JSON_TYPE, MAX_REQUESTS, ROOT, SECONDS, TOKEN_BODY
from bench.procs import request


@dataclass
class Call:
    """One request the load generator repeats, and the status every answer must have."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    expect: int


@dataclass
class Load:
    """One bounded load run's result, as `bench.load` prints it."""

    requests: int
    failures: int
    rps: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _command(
    url: str, call: Call, seconds: float, max_requests: int, connections: int
) -> list[str]:
    command = [sys.executable, "-m", "bench.load", url, call.method, call.path]
    for name, value in call.headers.items():
        command += ["--header", f"{name}: {value}"]
    if call.body is not None:
        command += ["--body", call.body]
    command += ["--connections", str(connections), "--requests", str(max_requests)]
    command += ["--seconds", str(seconds), "--expect", str(call.expect)]
    return command


def load(
    url: str,
    call: Call,
    seconds: float = SECONDS,
    max_requests: int = MAX_REQUESTS,
    connections: int = CONNECTIONS,
) -> Load:
    """Run the load generator as its own process against one server, bounded both ways."""
    command = _command(url, call, seconds, max_requests, connections)
    done = subprocess.run(
        command, capture_output=True, cwd=ROOT, env=ENV, timeout=seconds + 60, check=True
    )
    return Load(**json.loads(done.stdout.decode().strip().splitlines()[-1]))


class Background:
    """A load generator running beside the bench's own measurement; `result()` waits for it
    (it stops by itself after its bounds) and reads its line."""

    def __init__(
        self, url: str, call: Call, seconds: float, max_requests: int, connections: int
    ) -> None:
        self.seconds = seconds
        self.process = subprocess.Popen(
            _command(url, call, seconds, max_requests, connections),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=ENV,
        )

    def result(self) -> Load:
        try:
            out, err = self.process.communicate(timeout=self.seconds + 60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise
        if self.process.returncode != 0:
            raise RuntimeError(f"background load exited {self.process.returncode}: {err[-500:]!r}")
        return Load(**json.loads(out.decode().strip().splitlines()[-1]))


def token_for(port: int) -> tuple[str, dict[str, Any]]:
    """A project-scoped token from the emulator on `port`, and the answer's body."""
    status, headers, body = request(port, "POST", "/v3/auth/tokens", TOKEN_BODY.encode(), JSON_TYPE)
    if status != 201:
        raise RuntimeError(f"token: {status} {body[:200]!r}")
    return headers["X-Subject-Token"], json.loads(body)
