"""IAM error answers, in Keystone's format (the token endpoints answer it, not Huawei's)."""

from __future__ import annotations

from sms_mock.mock_server.core.errors import ApiError, iam_error, keystone_error


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


def method_not_supported(method: str) -> ApiError:
    # Keystone's own answer for a method it does not serve (401, AuthMethodNotSupported).
    return keystone_error(
        401,
        f"Attempted to authenticate with an unsupported method: {method}. The emulator "
        "serves the password and token methods (docs/iam.md).",
    )


def forbidden() -> ApiError:
    return keystone_error(403, "You are not authorized to perform the requested action.")


def not_found(target: str, target_id: str) -> ApiError:
    return keystone_error(404, f"Could not find {target}: {target_id[:64]}.")


# --- IAM's own (/v3.0) APIs answer Huawei's format ---------------------------------------------


def invalid_parameter(field: str, problem: str) -> ApiError:
    return iam_error(400, "IAM.0007", f"Request parameter {field} is invalid: {problem}")


def agency_not_served() -> ApiError:
    return iam_error(
        400,
        "IAM.0007",
        "Request parameter auth.identity.methods is invalid: assume_role (credentials of an "
        "agency) is not served by the emulator; use the token method (docs/iam.md).",
    )


def invalid_token() -> ApiError:
    return iam_error(401, "IAM.0067", "Invalid token.")
