"""`create_proxy_app(settings)`: the emulator's app, its Huawei-facing routes forwarded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask

from sms_mock.mock_server.app import create_app
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.gateway.body_limits import RouteBodyLimits
from sms_mock.mock_server.gateway.middleware import EmulatorMiddleware
from sms_mock.mock_server.proxy.forward import ForwardingApp
from sms_mock.mock_server.proxy.har import HarRecorder
from sms_mock.mock_server.proxy.routes import EXTENSION_KEY
from sms_mock.mock_server.proxy.routes import blueprint as violations_blueprint
from sms_mock.mock_server.proxy.settings import ProxySettings
from sms_mock.mock_server.proxy.violations import ViolationBook


@dataclass
class Proxy:
    """What a proxy app holds besides its emulator: `app.extensions["sms_mock.proxy"]`."""

    settings: ProxySettings
    book: ViolationBook
    recorder: HarRecorder | None

    def close(self) -> None:
        if self.recorder is not None:
            self.recorder.close()


def create_proxy_app(
    settings: ProxySettings, config: Config | dict[str, Any] | None = None
) -> Flask:
    """An emulator app whose Huawei-facing paths are forwarded to `settings.upstream`.

    `config` sets the gateway (host names, admin token, journal size). Its emulator loads no
    fixtures unless `config` asks for them: its dashboard shows the journal, not the upstream's
    tasks. The recording, if any, is open until `app.extensions["sms_mock.proxy"].close()`.
    """
    if config is None:
        config = Config(default_fixtures=False)
    app = create_app(config)
    app.register_blueprint(violations_blueprint)
    middleware = app.wsgi_app
    if not isinstance(middleware, EmulatorMiddleware):
        raise TypeError("create_app no longer wraps its app in the gateway middleware")
    recorder = None
    if settings.record is not None:
        recorder = HarRecorder(settings.record, settings.credentials.secrets())
    proxy = app.extensions[EXTENSION_KEY] = Proxy(
        settings, ViolationBook(settings.violations_kept), recorder
    )
    # Below the middleware, in place of Flask for every path but the emulator's own: the
    # request id, the host and admin rules, HTTP faults and the journal stay the gateway's.
    middleware.app = ForwardingApp(
        middleware.app, settings, RouteBodyLimits(app), proxy.book, recorder
    )
    return app
