"""Shared fixtures: a fresh emulator on a manual clock for every test, and hypothesis profiles.

Profiles (tests/README.md): `ci` tries new examples on each commit, seeded from the commit so that
a failure replays from the seed printed at the end of the run; `dev` is random and keeps an example
database, so that a failure found once is tried first next time; `fuzz` runs thousands of examples
a property (`make fuzz`). `HYPOTHESIS_PROFILE` picks one (`ci` under CI, else `dev`);
`HYPOTHESIS_SEED` (or pytest's `--hypothesis-seed`) replays a seed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from sms_mock.client import SmsClient
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.serving.live import LiveServer
from tests.support import reached
from tests.support.accounts import ACCOUNT, issue_token
from tests.support.helpers import Sms

ROOT = Path(__file__).resolve().parents[1]

# No profile suppresses `function_scoped_fixture`: a property whose examples write builds its own
# state in each example (see tests/contract/test_operations.py), and one that shares a fixture
# says why on its own `@settings`.
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=25,  # about 25 examples a property keeps the suite within minutes on 2 cores
    database=None,  # nothing carried between runs: the seed alone replays a run
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=25,
    database=DirectoryBasedExampleDatabase(ROOT / ".hypothesis" / "examples"),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    deadline=None,
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")),
    database=DirectoryBasedExampleDatabase(ROOT / ".hypothesis" / "examples"),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)


def _commit_seed() -> str | None:
    """The checkout's commit, so that each commit tries new examples; None outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=ROOT, capture_output=True, text=True, timeout=10, check=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() or None


@pytest.hookimpl(tryfirst=True)  # before hypothesis's own plugin reads the option
def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("hypothesis_seed", None) is None:
        seed = os.environ.get("HYPOTHESIS_SEED") or (_commit_seed() if PROFILE == "ci" else None)
        if seed is not None:
            config.option.hypothesis_seed = seed


def pytest_report_header(config: pytest.Config) -> str:
    return _seed_line(config)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in reached.summary_lines():
        terminalreporter.write_line(line)
    terminalreporter.write_line(_seed_line(terminalreporter.config))


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's: a worker finished, with its output
def pytest_testnodedown(node: object, error: object) -> None:
    reached.merge(getattr(node, "workeroutput", {}).get(reached.WORKER_OUTPUT_KEY, {}))


def _seed_line(config: pytest.Config) -> str:
    seed = config.getoption("hypothesis_seed", None)
    if seed is None:
        return f"hypothesis profile {PROFILE!r}, random seed (failures are kept in .hypothesis/)"
    return (
        f"hypothesis profile {PROFILE!r}, seed {seed}: replay with "
        f"HYPOTHESIS_PROFILE={PROFILE} HYPOTHESIS_SEED={seed} make test"
    )


@pytest.fixture
def app() -> Flask:
    return create_app(Config(clock="manual"))


@pytest.fixture
def emulator(app: Flask) -> Emulator:
    return app.extensions["sms_mock"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def token(client: FlaskClient) -> str:
    return issue_token(client)


@pytest.fixture
def sms(client: FlaskClient, token: str) -> Sms:
    return Sms(client, token)


@pytest.fixture(scope="session")
def _live_server() -> Iterator[LiveServer]:
    with LiveServer(Config(clock="manual")) as server:
        yield server


@pytest.fixture
def live(_live_server: LiveServer) -> LiveServer:
    """A real emulator over HTTP on 127.0.0.1 (manual clock), shared, reset for this test."""
    _live_server.emulator.reset()
    return _live_server


@pytest.fixture
def password_client(live: LiveServer) -> Iterator[SmsClient]:
    """The emulator's own client, logged in with the default user's password."""
    with SmsClient(live.url, project="cn-north-4", **ACCOUNT) as client:
        yield client
