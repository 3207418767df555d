"""`GET /` and `GET /v3`: the version documents of the service a listener stands for.

SMS and IAM both answer `GET /`, in shapes that differ, so each listener answers its own:
the main port SMS's, the IAM listener Keystone's (README, "IAM"). Neither call needs
credentials, on the real services as here.
"""

from __future__ import annotations

from flask import Blueprint, Response

from sms_mock.mock_server.core.http import base_url, json_response, on_iam_listener
from sms_mock.mock_server.iam import versions as iam_versions
from sms_mock.mock_server.sms import versions as sms_versions

blueprint = Blueprint("versions", __name__)


@blueprint.get("/")
def list_versions() -> Response:
    service = iam_versions if on_iam_listener() else sms_versions
    return json_response(service.version_list(base_url()))


@blueprint.get("/v3")
def show_version() -> Response:
    service = iam_versions if on_iam_listener() else sms_versions
    return json_response(service.version_show(base_url()))
