"""The three error bodies the emulator answers, as exceptions a handler raises.

Each service module defines its own errors on top of these (`sms/errors.py`, `iam/errors.py`,
`gateway.py`); the app renders any of them with the request id of the answer.
"""

from __future__ import annotations

from http import HTTPStatus


class ApiError(Exception):
    """An error answer: its HTTP status and the body it renders."""

    status: int = 400

    def body(self, request_id: str) -> dict:
        raise NotImplementedError


class SmsError(ApiError):
    """`{"error_code": "SMS.xxxx", "error_msg": ...}`, the SMS service's own format."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message

    def body(self, request_id: str) -> dict:
        return {"error_code": self.code, "error_msg": self.message}


class GatewayError(ApiError):
    """`{"error_code": "APIGW.xxxx", "error_msg": ..., "request_id": ...}`, the API gateway's."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message

    def body(self, request_id: str) -> dict:
        return {"error_code": self.code, "error_msg": self.message, "request_id": request_id}


class KeystoneError(ApiError):
    """`{"error": {"code": <status>, "message": ..., "title": ...}}`, IAM's token endpoints."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message
        self.title = HTTPStatus(status).phrase

    def body(self, request_id: str) -> dict:
        return {"error": {"code": self.status, "message": self.message, "title": self.title}}


def route_not_found() -> GatewayError:
    # The gateway answers 404 for an unknown path and for a known path with a method it
    # does not serve alike: to it both are an API that "does not exist".
    return GatewayError(
        404, "APIGW.0101", "The API does not exist or has not been published in the environment."
    )


def entity_too_large() -> GatewayError:
    return GatewayError(413, "APIGW.0201", "Request entity too large.")
