"""Keystone's version documents, as IAM answers them on its own host (the IAM listener)."""

from __future__ import annotations

from typing import Any

UPDATED = "2016-04-04T00:00:00Z"
MEDIA_TYPES = [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]


def v3_version(iam_url: str) -> dict[str, Any]:
    return {
        "id": "v3.6",
        "links": [{"href": f"{iam_url}/v3/", "rel": "self"}],
        "media-types": MEDIA_TYPES,
        "status": "stable",
        "updated": UPDATED,
    }


def version_list(iam_url: str) -> dict[str, Any]:
    """`GET /`: Keystone's shape, the versions under `versions.values`."""
    return {"versions": {"values": [v3_version(iam_url)]}}


def version_show(iam_url: str) -> dict[str, Any]:
    return {"version": v3_version(iam_url)}
