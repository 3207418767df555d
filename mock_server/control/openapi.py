"""`GET /openapi.json`: the OpenAPI document of the Huawei-facing API, open to anyone."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from sms_mock.mock_server.core.http import base_url, json_response

blueprint = Blueprint("openapi", __name__)

# The document is built once per app, on first use: apispec takes tens of milliseconds.
EXTENSION_KEY = "sms_mock.openapi"


@blueprint.get("/openapi.json")
def openapi_json() -> Response:
    document = current_app.extensions.get(EXTENSION_KEY)
    if document is None:
        # Imported here: apispec is needed by this route only, not to start the server.
        from sms_mock.contracts.openapi import openapi_document

        # Two first requests at once may both build it; they build the same document.
        document = current_app.extensions[EXTENSION_KEY] = openapi_document()
    # The server is whatever URL the caller reached this emulator by; the cached one stays bare.
    return json_response({**document, "servers": [{"url": base_url()}]})
