# ruff: noqa: B018, F841 - deliberate mistakes, for mypy to report
"""Mistakes a type checker must report, one a line (tests/client/test_client_types.py)."""

from __future__ import annotations

from sms_mock.client import SmsClient


def mistakes(client: SmsClient) -> None:
    task = client.get_task("sample-ready")
    task.statee  # a misspelt field
    progress: str = task.sub_tasks[0].progress  # an int, and the list may be None
    client.get_source("x").no_such_field
