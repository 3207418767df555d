"""Servers the bench starts as subprocesses, and always stops again."""

from __future__ import annotations

import http.client
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import ENV, ROOT, SMS_MOCK, THREADS

LOOPBACK_URL = re.compile(rb"http://127\.0\.0\.1:(\d+)")


class ServerFailed(RuntimeError):
    """A server that died or never said where it listens."""


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    line: str  # the line that named the URL


def read_line(process: subprocess.Popen[bytes], timeout: float) -> bytes:
    """One line of the process's standard output, or ServerFailed after `timeout` seconds."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    deadline = time.perf_counter() + timeout
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise ServerFailed(f"no line within {timeout} s: {data!r}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            # os.read, not the buffered file: select must see exactly what is still unread.
            chunk = os.read(fd, 1)
            if not chunk:
                raise ServerFailed(f"exited with {process.wait()} before a full line: {data!r}")
            data += chunk
    return data


def spawn(command: list[str], stderr: int | object = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload]
        command, stdout=subprocess.PIPE, stderr=stderr, cwd=ROOT, env=ENV
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as a user's Ctrl-C; SIGKILL if it has not gone within 10 s."""
    try:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
    finally:
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def serving(command: list[str], timeout: float = 120) -> Iterator[Served]:
    """A server that prints its 127.0.0.1 URL first; stopped on the way out, whatever happens."""
    with tempfile.TemporaryFile() as errors:
        process = spawn(command, stderr=errors)
        try:
            try:
                line = read_line(process, timeout)
                match = LOOPBACK_URL.search(line)
                if match is None:
                    raise ServerFailed(f"first line was {line!r}")
            except ServerFailed as exc:
                errors.seek(0)
                raise ServerFailed(f"{command}: {exc}; stderr: {errors.read()[-2000:]!r}") from exc
            port = int(match.group(1))
            yield Served(process, f"http://127.0.0.1:{port}", port, line.decode().strip())
        finally:
            stop(process)


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def serve_command(*extra: str) -> list[str]:
    """`sms-mock serve` as the bench runs it: 127.0.0.1, a free port, the manual clock."""
    return [
        SMS_MOCK,
        "serve",
        "--port",
        "0",
        "--clock",
        "manual",
        "--threads",
        str(THREADS),
        *extra,
    ]


def floor_command(task: Path, token: Path, *extra: str) -> list[str]:
    """The floor (`bench.floor`) answering these documents, with the emulator's threads."""
    return [
        sys.executable,
        "-m",
        "bench.floor",
        "--task",
        str(task),
        "--token",
        str(token),
        "--threads",
        str(THREADS),
        *extra,
    ]
