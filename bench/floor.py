"""The floor: a bare Flask app under waitress, answering the emulator's bytes with no work at all.

`python -m bench.floor --task FILE --token FILE [--threads 4]` serves on 127.0.0.1, a free
port, and prints `floor listening on http://127.0.0.1:PORT` first. Each route is what a plain
Flask route would be: it builds its answer per request with `json.dumps` of a dict. The task and
token documents are the emulator's own answers, captured by the bench, so both sides send the
same bytes. SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from flask import Flask, Response
from waitress.server import create_server


def _dumps(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))


def create_floor(task: dict[str, Any], token: dict[str, Any], token_id: str) -> Flask:
    """One route per call the bench loads, each answering a fixed document."""
    app = Flask("bench_floor", static_folder=None)

    @app.get("/v3/tasks/<task_id>")
    def show_task(task_id: str) -> Response:
        return Response(_dumps(task), mimetype="application/json")

    @app.post("/v3/auth/tokens")
    def issue_token() -> Response:
        return Response(
            _dumps(token), 201, mimetype="application/json", headers={"X-Subject-Token": token_id}
        )

    @app.post("/v3/tasks/<task_id>/action")
    def task_action(task_id: str) -> Response:
        return Response(_dumps({}), mimetype="application/json")

    return app


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--task", type=Path, required=True, help="the task document (JSON)")
    parser.add_argument("--token", type=Path, required=True, help="the token answer (JSON)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--emulator-server",
        action="store_true",
        help="serve with the emulator's own server (its channel, limits and IAM listener)",
    )
    args = parser.parse_args(argv)
    app = create_floor(
        json.loads(args.task.read_text()), json.loads(args.token.read_text()), "floor-token"
    )
    if args.emulator_server:
        # The emulator's server around the floor's app: what the server layer costs alone.
        from sms_mock.mock_server.serving.waitress_server import make_server, run_until_stopped

        emulator_server = make_server(app, host="127.0.0.1", port=0, threads=args.threads)
        print(f"floor listening on http://127.0.0.1:{emulator_server.effective_port}", flush=True)
        run_until_stopped(emulator_server)
        return 0
    # The same server settings as `sms-mock serve`: waitress, 127.0.0.1, a free port, threads.
    server = create_server(app, host="127.0.0.1", port=0, threads=args.threads)
    print(f"floor listening on http://127.0.0.1:{server.effective_port}", flush=True)  # type: ignore[union-attr]
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        server.run()
    except KeyboardInterrupt:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
