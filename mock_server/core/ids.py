"""Identifiers the emulator makes: 32 lowercase hex characters, from the secrets module."""

from __future__ import annotations

import secrets


def new_id() -> str:
    return secrets.token_hex(16)


def new_token() -> str:
    # Real IAM tokens are long opaque CMS blobs starting "MII"; ours look alike and are random,
    # never derived from user data.
    return "MII" + secrets.token_urlsafe(96)


_AK_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def new_access_key() -> str:
    # A temporary AK looks like a permanent one: 20 upper-case letters and digits.
    return "".join(secrets.choice(_AK_ALPHABET) for _ in range(20))


def new_secret_key() -> str:
    return secrets.token_urlsafe(30)  # 40 characters, as IAM's SKs


def new_security_token() -> str:
    # IAM's security tokens are long opaque blobs; ours are random and carry nothing.
    return "gQ" + secrets.token_urlsafe(192)
