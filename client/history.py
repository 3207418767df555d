"""The SMS history APIs the reference still documents (UnlockTargetEcs, CheckNetAcl,
ShowSha256): a mixin of `SmsClient`."""

from __future__ import annotations

from urllib.parse import quote

from sms_mock.client import models
from sms_mock.client.calls import Calls, check_request
from sms_mock.contracts.history import (
    CheckNetAclQuerySchema,
    CheckNetAclResponseSchema,
    ShowSha256PathSchema,
    ShowSha256ResponseSchema,
    UnlockTargetEcsResponseSchema,
)


class HistoryMixin(Calls):
    """Unlock a task's target server, check a target subnet's network ACL, hash a key."""

    def unlock_target_server(self, task_id: str) -> None:
        """Unlock the task's target server (POST, no body)."""
        answer = self._write("POST", f"/v3/tasks/{task_id}/unlock")
        models.load(UnlockTargetEcsResponseSchema, answer, "unlock answer")

    def check_network_acl(
        self, project_id: str, network_id: str, *, region_id: str, os_type: str
    ) -> None:
        """Check that the network ACL of the target subnet `network_id` (in the target project
        `project_id`) lets the migration through: returns when it does, raises the service's
        error when it does not."""
        params = {"region_id": region_id, "os_type": os_type}
        check_request(CheckNetAclQuerySchema, params, "network ACL check query")
        answer = self._read(f"/v3/tasks/{project_id}/networkacl/{network_id}/check", params)
        models.load(CheckNetAclResponseSchema, answer, "network ACL check answer")

    def get_sha256(self, key: str) -> str:
        """The SHA-256 the service computes of `key` (the reference says a UUID)."""
        check_request(ShowSha256PathSchema, {"key": key}, "sha256 key")
        # Quoted whole: a key is text, and a `/` or `?` of its own must stay in the one segment.
        body = self._read(f"/v3/sha256/{quote(key, safe='')}")
        return models.load(ShowSha256ResponseSchema, body, "sha256").value
