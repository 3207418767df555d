"""`GET /_mock/violations`: the violations the proxy found, oldest first (under the control
plane's admin rule, as every `/_mock` route)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from sms_mock.contracts.control import ViolationListSchema
from sms_mock.mock_server.core.http import json_response

blueprint = Blueprint("proxy", __name__)
_violations_schema = ViolationListSchema()

EXTENSION_KEY = "sms_mock.proxy"


@blueprint.get("/_mock/violations")
def list_violations() -> Response:
    proxy = current_app.extensions[EXTENSION_KEY]
    kept, seen = proxy.book.listing()
    return json_response(
        _violations_schema.dump(
            {
                "violations": kept,
                "seen": seen,  # every one reported, those no longer kept included
                "upstream": proxy.settings.upstream,
                "iam_upstream": proxy.settings.iam_upstream,
                "strict": proxy.settings.strict,
            }
        )
    )
