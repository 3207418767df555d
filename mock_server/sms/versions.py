"""Version discovery: `GET /` and `GET /v3`, shared by SMS (list/show API version) and IAM.

keystoneauth1's generic plugins (openstacksdk, the openstack command line) GET the auth URL
before they log in; without an answer, a bare `http://host:port` auth URL cannot be used.
Neither call needs credentials, on the real services as here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from sms_mock.mock_server.core.http import base_url, json_response

blueprint = Blueprint("versions", __name__)

UPDATED = "2019-09-30T00:00:00Z"
# Keystone's media type, so that discovery knows this is the identity API v3 too.
MEDIA_TYPES = [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]


def _v3() -> dict[str, Any]:
    return {
        "id": "v3",
        "links": [{"href": f"{base_url()}/v3/", "rel": "self"}],
        "status": "CURRENT",
        "updated": UPDATED,
        "media-types": MEDIA_TYPES,
    }


@blueprint.get("/")
def list_api_versions() -> Response:
    return json_response({"versions": [_v3()]})


@blueprint.get("/v3")
def show_api_version() -> Response:
    version = _v3()
    return json_response({**version, "version": version})
