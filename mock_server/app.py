"""The Flask app factory: `create_app(config)` builds one emulator, with no module-level state."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, g
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge

from mock_server.control.routes import blueprint as control_blueprint
from mock_server.control.scenarios import blueprint as scenarios_blueprint
from mock_server.emulator import Config, Emulator
from mock_server.errors import ApiError, entity_too_large, route_not_found
from mock_server.http import json_response
from mock_server.iam.routes import blueprint as iam_blueprint
from mock_server.middleware import EmulatorMiddleware
from mock_server.openapi_route import blueprint as openapi_blueprint
from mock_server.sms import errors as sms_errors
from mock_server.sms.routes import blueprint as sms_blueprint
from mock_server.versions import blueprint as versions_blueprint

MAX_REQUEST_BYTES = 1024 * 1024


def _request_id() -> str:
    request_id = g.get("request_id")
    if request_id is None:
        request_id = g.request_id = os.urandom(16).hex()
    return request_id


def _render(error: ApiError) -> Response:
    return json_response(error.body(_request_id()), error.status)


def create_app(config: Config | dict[str, Any] | None = None) -> Flask:
    """A new emulator app; every piece of its state hangs off `app.extensions["sms_mock"]`."""
    config = Config.from_value(config)
    app = Flask("mock_server", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    # The gateway answers 404 for a method a path does not serve, OPTIONS included.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    emulator = app.extensions["sms_mock"] = Emulator(config)
    app.wsgi_app = EmulatorMiddleware(app.wsgi_app, emulator)  # type: ignore[method-assign]
    app.url_map.strict_slashes = False

    app.register_blueprint(iam_blueprint)
    app.register_blueprint(sms_blueprint)
    app.register_blueprint(control_blueprint)
    app.register_blueprint(scenarios_blueprint)
    app.register_blueprint(openapi_blueprint)
    app.register_blueprint(versions_blueprint)

    @app.after_request
    def add_request_id(response: Response) -> Response:
        response.headers["X-Request-Id"] = _request_id()
        return response

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return _render(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if isinstance(error, RequestEntityTooLarge):
            return _render(entity_too_large())
        if isinstance(error, NotFound) or error.code == 405:
            return _render(route_not_found())
        return _render(sms_errors.invalid_body("request", error.description or str(error)))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        # Never a stack trace on the wire: log it, answer the service's own 500.
        app.logger.exception("unexpected error")
        return _render(sms_errors.internal_error())

    return app
