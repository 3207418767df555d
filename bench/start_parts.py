"""`python -m bench.start_parts`: where a fresh `sms-mock serve` process's start goes, as JSON.

Run in a fresh interpreter each time, since only the first import of a module costs anything.
It starts as `sms_mock.cli.main` does (the garbage collector held off, marshmallow loaded with
its e-mail patterns deferred) and prints one line: flask_ms (Flask and waitress), ours_ms (the
emulator's modules and the command line's), fixtures_ms (the first read and check of the
default fixtures folder, what the first `create_app` does first), app_ms (the rest of that
`create_app`: the Flask app, its routes and the emulator's state, the folder found kept) and
server_ms (the listeners and the pool, as `serve` makes them).
"""

from __future__ import annotations

import json
import time


def main() -> None:
    # The imports are what is measured, so they are made here, between the clock readings.
    began = time.perf_counter()
    from sms_mock.mock_server.serving import collector, deferred_patterns

    collector.hold()
    import flask  # noqa: F401
    import waitress.server  # noqa: F401

    flask_done = time.perf_counter()
    deferred_patterns.import_marshmallow()
    import sms_mock.cli.app
    import sms_mock.mock_server.serving.command  # noqa: F401
    from sms_mock.mock_server.app import create_app
    from sms_mock.mock_server.config import Config
    from sms_mock.mock_server.control.fixtures import load_fixture_set
    from sms_mock.mock_server.serving.waitress_server import make_server

    ours_done = time.perf_counter()
    load_fixture_set(Config(clock="manual").fixture_folders())
    fixtures_done = time.perf_counter()
    app = create_app(Config(clock="manual"))
    app_done = time.perf_counter()
    server = make_server(app, host="127.0.0.1", port=0, threads=4)
    collector.release(freeze=True)
    server_done = time.perf_counter()
    server.close()
    parts = {
        "flask_ms": (flask_done - began) * 1000,
        "ours_ms": (ours_done - flask_done) * 1000,
        "fixtures_ms": (fixtures_done - ours_done) * 1000,
        "app_ms": (app_done - fixtures_done) * 1000,
        "server_ms": (server_done - app_done) * 1000,
    }
    print(json.dumps(parts))


if __name__ == "__main__":
    main()
