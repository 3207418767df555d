"""The Flask app factory: `create_app(config)` builds one emulator, with no module-level state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge
from werkzeug.routing import Rule

from sms_mock.mock_server.config import Config
from sms_mock.mock_server.control import errors as control_errors
from sms_mock.mock_server.control.openapi import blueprint as openapi_blueprint
from sms_mock.mock_server.control.routes import blueprint as control_blueprint
from sms_mock.mock_server.control.scenario_routes import blueprint as scenarios_blueprint
from sms_mock.mock_server.control.token_routes import blueprint as control_tokens_blueprint
from sms_mock.mock_server.core.errors import (
    ApiError,
    internal_error,
    not_saved,
    on_control_plane,
    route_not_found,
)
from sms_mock.mock_server.core.http import (
    TextConverter,
    json_response,
    on_iam_listener,
    request_id,
)
from sms_mock.mock_server.dashboard.routes import blueprint as dashboard_blueprint
from sms_mock.mock_server.emulator import Emulator, SaveFailed
from sms_mock.mock_server.gateway.admin import EXTENSION_KEY as ADMIN_GATE_KEY
from sms_mock.mock_server.gateway.admin import AdminGate
from sms_mock.mock_server.gateway.body_limits import (
    MAX_REQUEST_BYTES,
    SMS_BLUEPRINTS,
    body_limit,
)
from sms_mock.mock_server.gateway.middleware import EmulatorMiddleware
from sms_mock.mock_server.gateway.versions import blueprint as versions_blueprint
from sms_mock.mock_server.iam.credential_routes import blueprint as iam_credentials_blueprint
from sms_mock.mock_server.iam.directory_routes import blueprint as iam_directory_blueprint
from sms_mock.mock_server.iam.routes import blueprint as iam_blueprint
from sms_mock.mock_server.sms import errors as sms_errors

# What the IAM listener serves: IAM's routes and its version documents, nothing of SMS's.
IAM_LISTENER_BLUEPRINTS = frozenset({"iam", "iam_directory", "iam_credentials", "versions"})


class LazyBuilderRule(Rule):
    """A route whose URL builders (what `url_for` calls) are compiled the first time one is
    used, not when the route is added: werkzeug generates and compiles two Python functions a
    route for them, nine tenths of an app's build, and the emulator matches every request but
    builds almost no URL. A route matches as soon as it is added, as any other."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        name = "_build_unknown" if append_unknown else "_build"

        def build(rule: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            compiled = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, name, compiled)  # from now on, the compiled builder itself
            return compiled(*args, **kwargs)

        return build


def _render(error: ApiError) -> Response:
    return json_response(error.body(request_id()), error.status, dict(error.headers()))


def create_app(config: Config | dict[str, Any] | None = None) -> Flask:
    """A new emulator app; every piece of its state hangs off `app.extensions["sms_mock"]`."""
    config = Config.from_value(config)
    app = Flask("sms_mock.mock_server", static_folder=None)
    app.url_rule_class = LazyBuilderRule
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    # The gateway answers 404 for a method a path does not serve, OPTIONS included.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    emulator = app.extensions["sms_mock"] = Emulator(config)
    # One admin gate for the middleware and the dashboard's sign-in: one limit on guesses.
    gate = app.extensions[ADMIN_GATE_KEY] = AdminGate(config.admin_token)
    # The middleware wraps Flask: it makes the request id the app's answers carry.
    app.wsgi_app = EmulatorMiddleware(app.wsgi_app, emulator, gate)  # type: ignore[method-assign]
    app.url_map.strict_slashes = False
    # `/v3//tasks` is an unknown path (the gateway's JSON 404), not a redirect to `/v3/tasks`
    # built from the request's Host.
    app.url_map.merge_slashes = False
    app.url_map.converters["text"] = TextConverter

    app.register_blueprint(iam_blueprint)
    app.register_blueprint(iam_directory_blueprint)
    app.register_blueprint(iam_credentials_blueprint)
    for blueprint in SMS_BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.register_blueprint(control_blueprint)
    app.register_blueprint(scenarios_blueprint)
    app.register_blueprint(control_tokens_blueprint)
    app.register_blueprint(dashboard_blueprint)
    app.register_blueprint(openapi_blueprint)
    app.register_blueprint(versions_blueprint)

    @app.before_request
    def iam_listener_serves_iam_only() -> None:
        if on_iam_listener() and request.blueprint not in IAM_LISTENER_BLUEPRINTS:
            raise route_not_found()

    @app.after_request
    def add_request_id(response: Response) -> Response:
        response.headers["X-Request-Id"] = request_id()
        return response

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return _render(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if isinstance(error, RequestEntityTooLarge):  # the route's own answer, as waitress's
            limit = body_limit(request.endpoint, request.blueprint, request.path)
            return _render(limit.too_large())
        if isinstance(error, NotFound) or error.code == 405:
            return _render(route_not_found())
        control = on_control_plane(request.path)
        bad = control_errors.bad_request if control else sms_errors.invalid_parameter
        return _render(bad("request", error.description or str(error)))

    @app.errorhandler(SaveFailed)
    def save_failed(error: SaveFailed) -> Response:
        return _render(not_saved(str(error), request.path))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        # Never a stack trace on the wire: log it, answer the service's own 500.
        app.logger.exception("unexpected error")
        return _render(internal_error(request.path))

    return app
