"""The peer: moto_server (the optional `bench` extra), answering DynamoDB's DescribeTable and
STS's GetSessionToken.

moto is the emulator most projects reach for on AWS; its server answering a cheap read of one
resource under the same load is what the emulator's `GET /v3/tasks/{id}` is put beside, and
its STS issuing temporary credentials what the emulator's token issue is put beside. It runs
as moto ships it, `python -m moto.server` (what the `moto_server` script runs): werkzeug's
threaded server on 127.0.0.1, on a port picked free here, one table created first. moto checks
no signatures by default, so a SigV4 header of the right shape with a dummy signature does; the
service in its credential scope is what picks DynamoDB or STS.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench.calls import Call
from bench.procs import Served, ServerFailed, spawn, stop

TABLE = "bench-table"
START_TIMEOUT_S = 60.0
AMZ_JSON = "application/x-amz-json-1.0"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
AMZ_DATE = "20260101T000000Z"


def authorization(service: str, signed: str) -> str:
    """SigV4's shape, a dummy signature: moto reads the service and region from the scope."""
    return (
        f"AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, "
        f"SignedHeaders={signed}, Signature=" + "0" * 64
    )


def headers_for(action: str) -> dict[str, str]:
    """A DynamoDB call's headers (its JSON protocol names the action in X-Amz-Target)."""
    return {
        "Content-Type": AMZ_JSON,
        "X-Amz-Target": f"DynamoDB_20120810.{action}",
        "X-Amz-Date": AMZ_DATE,
        "Authorization": authorization("dynamodb", "content-type;host;x-amz-date;x-amz-target"),
    }


def describe_call() -> Call:
    body = json.dumps({"TableName": TABLE})
    return Call("DescribeTable", "POST", "/", headers_for("DescribeTable"), body, 200)


def session_token_call() -> Call:
    """STS GetSessionToken (its query protocol: a form body; the answer is XML)."""
    headers = {
        "Content-Type": FORM,
        "X-Amz-Date": AMZ_DATE,
        "Authorization": authorization("sts", "content-type;host;x-amz-date"),
    }
    body = "Action=GetSessionToken&Version=2011-06-15"
    return Call("GetSessionToken", "POST", "/", headers, body, 200)


def missing() -> str | None:
    """Why moto_server cannot run here, or None when it can."""
    for module in ("moto", "flask_cors"):  # flask_cors comes with moto's `server` extra only
        if importlib.util.find_spec(module) is None:
            return f"`{module}` is not installed (`make bench` installs the `bench` extra)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _create_table(port: int) -> tuple[int, bytes]:
    body = json.dumps(
        {
            "TableName": TABLE,
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        }
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/", body=body, headers=headers_for("CreateTable"))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextmanager
def moto_serving() -> Iterator[Served]:
    """moto_server on 127.0.0.1 with the bench's table in it; stopped on the way out."""
    port = _free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with tempfile.TemporaryFile() as errors:
        # werkzeug logs every request to stderr: kept in a file, read only should it fail.
        process = spawn(command, stderr=errors)
        try:
            deadline = time.perf_counter() + START_TIMEOUT_S
            while True:
                if process.poll() is not None:
                    errors.seek(0)
                    raise ServerFailed(f"moto_server exited: {errors.read()[-2000:]!r}")
                try:
                    status, body = _create_table(port)
                    break
                except OSError:
                    if time.perf_counter() > deadline:
                        raise ServerFailed(
                            f"moto_server: no answer in {START_TIMEOUT_S} s"
                        ) from None
                    time.sleep(0.1)
            if status != 200:
                raise ServerFailed(f"moto CreateTable: {status} {body[:300]!r}")
            url = f"http://127.0.0.1:{port}"
            yield Served(process, url, port, f"moto_server on {url}")
        finally:
            stop(process)
            if process.returncode not in (0, -15):
                # SIGTERM makes moto exit 0 (its handler); anything else is worth a line.
                print(f"  .. moto_server exited {process.returncode}", file=sys.stderr)


def version() -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import moto; print(moto.__version__)"],
        capture_output=True,
        check=False,
    )
    return done.stdout.decode().strip() or "unknown"
