"""The largest body each route takes, and its answer for a larger one (README, "Errors").

The HTTP server reads these from a request's head, before any byte of its body: a body over
its route's limit is refused from its `Content-Length` (a chunked one as soon as it passes the
limit), so that nobody can make the emulator receive and spool more than a route takes; past
1 MiB (a snapshot's restore), only a caller the admin rule lets in. The app answers the same
for a body it is handed whole (Flask's test client).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from sms_mock.contracts import error_codes as codes
from sms_mock.mock_server.control.routes import MAX_SNAPSHOT_BYTES, restore_snapshot
from sms_mock.mock_server.control.routes import blueprint as control_blueprint
from sms_mock.mock_server.core.errors import (
    ApiError,
    catalogued,
    entity_too_large,
    on_control_plane,
)
from sms_mock.mock_server.gateway.admin import ADMIN_HEADER, EXTENSION_KEY, AdminGate
from sms_mock.mock_server.sms import errors as sms_errors
from sms_mock.mock_server.sms.history_routes import blueprint as history_blueprint
from sms_mock.mock_server.sms.http import MAX_BODY_BYTES
from sms_mock.mock_server.sms.migproject_routes import blueprint as migproject_blueprint
from sms_mock.mock_server.sms.source_routes import blueprint as source_blueprint
from sms_mock.mock_server.sms.task_routes import blueprint as task_blueprint
from sms_mock.mock_server.sms.task_settings_routes import blueprint as task_settings_blueprint
from sms_mock.mock_server.sms.template_routes import blueprint as template_blueprint

# Every body but an SMS call's and a snapshot's: IAM's, the control plane's, the dashboard's.
MAX_REQUEST_BYTES = 1024 * 1024

# SMS's blueprints, in the order the app registers them: one list for the app and the limits.
SMS_BLUEPRINTS: tuple[Blueprint, ...] = (
    task_blueprint,
    task_settings_blueprint,
    source_blueprint,
    template_blueprint,
    migproject_blueprint,
    history_blueprint,
)
SMS_BLUEPRINT_NAMES = frozenset(blueprint.name for blueprint in SMS_BLUEPRINTS)
SNAPSHOT_ENDPOINT = f"{control_blueprint.name}.{restore_snapshot.__name__}"


@dataclass(frozen=True)
class BodyLimit:
    """A route's largest body, in bytes, and the answer for one over it."""

    max_bytes: int
    too_large: Callable[[], ApiError]


def _control_too_large(max_bytes: int) -> Callable[[], ApiError]:
    return lambda: catalogued(
        codes.MOCK_BODY_TOO_LARGE, f"A body here is at most {max_bytes:,} bytes."
    )


SMS_BODY = BodyLimit(MAX_BODY_BYTES, sms_errors.body_too_large)
SNAPSHOT_BODY = BodyLimit(MAX_SNAPSHOT_BYTES, _control_too_large(MAX_SNAPSHOT_BYTES))
CONTROL_BODY = BodyLimit(MAX_REQUEST_BYTES, _control_too_large(MAX_REQUEST_BYTES))
GATEWAY_BODY = BodyLimit(MAX_REQUEST_BYTES, entity_too_large)
# What the HTTP server receives at most, whatever the route; at or below the smallest limit,
# no route is looked up.
LARGEST_BODY_BYTES = max(limit.max_bytes for limit in (SMS_BODY, SNAPSHOT_BODY, CONTROL_BODY))
SMALLEST_BODY_BYTES = min(limit.max_bytes for limit in (SMS_BODY, SNAPSHOT_BODY, CONTROL_BODY))
# Past this, a body is received only from a caller the admin rule lets in (a snapshot's
# restore, under --admin-token): no one else can make the server take in one that large.
UNVOUCHED_BODY_BYTES = MAX_REQUEST_BYTES


def body_limit(endpoint: str | None, blueprint: str | None, path: str) -> BodyLimit:
    """The limit of the route `endpoint` (None: no route) of `blueprint`, at `path`."""
    if endpoint == SNAPSHOT_ENDPOINT:
        return SNAPSHOT_BODY
    if on_control_plane(path):
        return CONTROL_BODY
    if blueprint in SMS_BLUEPRINT_NAMES:
        return SMS_BODY
    return GATEWAY_BODY


class RouteBodyLimits:
    """The limit of a request's route, found from its method and path as the app routes them.

    `restricted` is the IAM listener's rule: only those blueprints are served there, every
    other path is an unknown one (GATEWAY_BODY's limit, as for any path without a route).
    """

    def __init__(self, app: Flask, restricted: frozenset[str] | None = None) -> None:
        self._routes: MapAdapter = app.url_map.bind("emulator")
        self._restricted = restricted
        self._gate: AdminGate | None = app.extensions.get(EXTENSION_KEY)

    def refusal(
        self, method: str, path: str, size: int, headers: dict[str, str]
    ) -> ApiError | None:
        """The answer for a body of `size` bytes (so far) on this route, before more of it is
        read, or None to read on. `headers` are the request's, as waitress keeps them."""
        if size <= SMALLEST_BODY_BYTES:
            return None
        limit = self.for_request(method, path)
        if size > limit.max_bytes:
            return limit.too_large()
        if size > UNVOUCHED_BODY_BYTES and self._gate is not None:
            environ = {f"HTTP_{name}": value for name, value in headers.items()}
            # A token to try is left to the app, which counts it as a guess, once; without
            # one, the admin rule answers here what it would after the body.
            if not environ.get(ADMIN_HEADER):
                return self._gate.refusal({**environ, "REQUEST_METHOD": method})
        return None

    def for_request(self, method: str, path: str) -> BodyLimit:
        try:
            endpoint, _ = self._routes.match(path, method)
        except HTTPException:  # no route, another method, a redirect: the app answers it
            endpoint = None
        blueprint = endpoint.rpartition(".")[0] if endpoint else None
        if self._restricted is not None and blueprint not in self._restricted:
            return GATEWAY_BODY
        return body_limit(endpoint, blueprint, path)
