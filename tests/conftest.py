"""Shared fixtures: a fresh emulator on a manual clock for every test, and hypothesis profiles."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from sms_mock.client import SmsClient
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.emulator import Emulator
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import ACCOUNT, issue_token
from tests.support.helpers import Sms

# `ci` is reproducible: derandomized, so the same examples run every time.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=25,  # about 25 examples a route keeps the suite within minutes on 2 cores
    print_blob=True,
    # Fixtures such as an emulator reset and its token are meant once per test, not per example.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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
