"""SMS's version documents: `GET /` (list API versions) and `GET /v3` (show API version).

keystoneauth1's generic plugins (openstacksdk, the openstack command line) GET the auth URL
before they log in, so the main port's `GET /v3` also carries Keystone's `version` key: a bare
`http://host:port/v3` auth URL works there too.
"""

from __future__ import annotations

from typing import Any

from sms_mock.contracts.versions import IDENTITY_MEDIA_TYPES

UPDATED = "2019-09-30T00:00:00Z"


def v3_version(base_url: str) -> dict[str, Any]:
    return {
        "id": "v3",
        "links": [{"href": f"{base_url}/v3/", "rel": "self"}],
        "status": "CURRENT",
        "updated": UPDATED,
        "media-types": IDENTITY_MEDIA_TYPES,
    }


def version_list(base_url: str) -> dict[str, Any]:
    return {"versions": [v3_version(base_url)]}


def version_show(base_url: str) -> dict[str, Any]:
    version = v3_version(base_url)
    return {**version, "version": version}
