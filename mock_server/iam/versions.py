"""Keystone's version documents, as IAM answers them on its own host (the IAM listener)."""

from __future__ import annotations

from typing import Any

from sms_mock.contracts.versions import IDENTITY_MEDIA_TYPES

UPDATED = "2016-04-04T00:00:00Z"


def v3_version(iam_url: str) -> dict[str, Any]:
    return {
        "id": "v3.6",
        "links": [{"href": f"{iam_url}/v3/", "rel": "self"}],
        "media-types": IDENTITY_MEDIA_TYPES,
        "status": "stable",
        "updated": UPDATED,
    }


def version_list(iam_url: str) -> dict[str, Any]:
    """`GET /`: Keystone's shape, the versions under `versions.values`."""
    return {"versions": {"values": [v3_version(iam_url)]}}


def version_show(iam_url: str) -> dict[str, Any]:
    return {"version": v3_version(iam_url)}
