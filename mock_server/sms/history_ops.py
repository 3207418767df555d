"""What two SMS history APIs do: unlock a task's target server, and hash a key.

Both rules are INFERRED (README, "History APIs"): the reference names the calls and their
answers, not what the service decides.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sms_mock.mock_server.sms.backend import SmsBackend


def unlock_target_server(sms: SmsBackend, project_id: str, task_id: str) -> None:
    """The emulator never locks a target server, so unlocking one changes nothing; the task
    must still exist in the caller's project (in any state), as for every task call."""
    sms.check_task(project_id, task_id)


def sha256_of(key: str) -> dict[str, Any]:
    """The lowercase hex SHA-256 of the key's UTF-8 text: the same key, the same answer."""
    return {"value": hashlib.sha256(key.encode("utf-8")).hexdigest()}
