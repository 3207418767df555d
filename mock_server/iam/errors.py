"""IAM error answers, in Keystone's format (the token endpoints answer it, not Huawei's)."""

from __future__ import annotations

from sms_mock.mock_server.core.errors import ApiError, keystone_error


def bad_request(field: str, problem: str) -> ApiError:
    return keystone_error(400, f"Invalid input for field '{field}': {problem}")


def wrong_credentials() -> ApiError:
    # Unknown user, wrong password and an unknown scope all answer alike, as IAM does, so
    # that the answer does not tell which part was wrong.
    return keystone_error(401, "The username or password is wrong.")


def account_locked() -> ApiError:
    return keystone_error(401, "The account is locked.")


def auth_required() -> ApiError:
    return keystone_error(401, "The request you have made requires authentication.")


def subject_token_missing() -> ApiError:
    return keystone_error(400, "X-Subject-Token is invalid in the request.")


def token_not_found(token_id: str) -> ApiError:
    # Keystone answers 404 for a subject token that is unknown or expired.
    return keystone_error(404, f"Could not find token: {token_id[:16]}...")
