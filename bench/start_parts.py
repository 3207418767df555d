"""`python -m bench.start_parts`: where a fresh `sms-mock serve` process's start goes, as JSON.

Run in a fresh interpreter each time, since only the first import of a module costs anything.
Prints one line: flask_ms, ours_ms (the emulator's modules), app_ms (the first `create_app`)
and fixtures_ms (a separate load of the fixtures folder after it, not the one inside it).
"""

from __future__ import annotations

import json
import time


def main() -> None:
    # The imports are what is measured, so they are made here, between the clock readings.
    began = time.perf_counter()
    import flask  # noqa: F401
    import waitress.server  # noqa: F401

    flask_done = time.perf_counter()
    import sms_mock.cli
    import sms_mock.mock_server.emulator  # noqa: F401
    from sms_mock.mock_server.app import create_app
    from sms_mock.mock_server.config import Config
    from sms_mock.mock_server.control.fixtures import load_fixture_set

    ours_done = time.perf_counter()
    # First, as `serve` does it; the load after it finds the caches this one filled.
    create_app(Config(clock="manual"))
    app_done = time.perf_counter()
    load_fixture_set(Config(clock="manual").fixture_folders())
    fixtures_done = time.perf_counter()
    parts = {
        "flask_ms": (flask_done - began) * 1000,
        "ours_ms": (ours_done - flask_done) * 1000,
        "app_ms": (app_done - ours_done) * 1000,
        "fixtures_ms": (fixtures_done - app_done) * 1000,
    }
    print(json.dumps(parts))


if __name__ == "__main__":
    main()
