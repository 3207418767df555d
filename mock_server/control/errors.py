"""The control plane's and the dashboard's error answers: the emulator's own `MOCK.xxxx` codes
(`contracts/error_codes.py`), in the SMS body's shape, so that nobody takes them for the
service's."""

from __future__ import annotations

from sms_mock.contracts import error_codes as codes
from sms_mock.mock_server.core.errors import ApiError, catalogued


def bad_request(field: str, problem: str) -> ApiError:
    """A bad body or query, naming the field (`invalid(field, problem)` of `core/http.load`)."""
    return catalogued(codes.MOCK_BAD_REQUEST, f"{field}: {problem}")


def fault_not_found(fault_id: str) -> ApiError:
    return catalogued(codes.MOCK_FAULT_NOT_FOUND, f"No fault {fault_id}.")


def scenario_not_found(name: str) -> ApiError:
    return catalogued(codes.MOCK_SCENARIO_NOT_FOUND, f"No scenario {name}.")


def task_not_found(task_id: str) -> ApiError:
    return catalogued(codes.MOCK_TASK_NOT_FOUND, f"No task {task_id}.")
