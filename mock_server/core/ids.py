"""Identifiers the emulator makes: 32 lowercase hex characters, from the secrets module."""

from __future__ import annotations

import secrets


def new_id() -> str:
    return secrets.token_hex(16)


def new_token() -> str:
    # Real IAM tokens are long opaque CMS blobs starting "MII"; ours look alike and are random,
    # never derived from user data.
    return "MII" + secrets.token_urlsafe(96)
