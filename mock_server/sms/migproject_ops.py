"""What the SMS backend does with migration projects, and the project's privacy agreement;
a mixin of `SmsBackend` (backend.py).

Each IAM project has exactly one default migproject, `SystemProject` unless the user makes
another the default; sources join the default one when they register.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from sms_mock.contracts.migprojects import MigprojectSchema
from sms_mock.contracts.shape import fill_nulls, shape_of
from sms_mock.mock_server.core.ids import new_id
from sms_mock.mock_server.sms import errors
from sms_mock.mock_server.sms.source_models import MIGPROJECT

if TYPE_CHECKING:
    from sms_mock.mock_server.sms.backend import SmsBackend

MIGPROJECT_SHAPE = shape_of(MigprojectSchema)
DEFAULT_MIGPROJECT_NAME = "SystemProject"
DEFAULT_MIGPROJECT_PAGE = 100
PRIVACY = "privacy"  # the settings book's key for a project's privacy agreement


def migproject_document(migproject_id: str, given: dict[str, Any]) -> dict[str, Any]:
    doc = {
        "id": migproject_id,
        "description": "",
        "isdefault": False,
        "start_target_server": False,
        "speed_limit": 0,
        "use_public_ip": True,
        "exist_server": False,
        "enterprise_project": "default",
        "syncing": False,
        "start_network_check": False,
        **copy.deepcopy(given),
    }
    return fill_nulls(doc, MIGPROJECT_SHAPE)


class MigprojectOps:
    def _migproject(self: SmsBackend, project_id: str, migproject_id: str) -> dict[str, Any]:
        migproject = self.migprojects.get(project_id, migproject_id)
        if migproject is None:
            raise errors.migproject_not_found(migproject_id)
        return migproject

    def ensure_default_migproject(self: SmsBackend, project: tuple[str, str]) -> str:
        """The project's default migproject, made (`SystemProject`) if it has none."""
        project_id, project_name = project
        with self._lock:
            for migproject in self.migprojects.of(project_id):
                if migproject.get("isdefault"):
                    return migproject["id"]
            migproject_id = new_id()
            doc = migproject_document(
                migproject_id,
                {
                    "name": DEFAULT_MIGPROJECT_NAME,
                    "region": project_name,
                    "type": "MIGRATE_FILE",
                    "isdefault": True,
                    "description": "The default migration project.",
                },
            )
            self.migprojects.put(project_id, migproject_id, doc)
            return migproject_id

    def default_migproject(self: SmsBackend, project_id: str) -> str | None:
        for migproject in self.migprojects.of(project_id):
            if migproject.get("isdefault"):
                return migproject["id"]
        return None

    def _check_migproject_name_free(
        self: SmsBackend, project_id: str, name: str, own_id: str = ""
    ) -> None:
        """Two migration projects of a project never share a name (SMS.7312)."""
        if self.migprojects.named(project_id, name, own_id) is not None:
            raise errors.migproject_name_taken(name)

    def create_migproject(self: SmsBackend, project_id: str, given: dict[str, Any]) -> str:
        migproject_id = new_id()
        with self._lock:
            self._check_migproject_name_free(project_id, given["name"])
            self.migprojects.put(
                project_id,
                migproject_id,
                migproject_document(migproject_id, {**given, "isdefault": False}),
            )
            if given.get("isdefault"):
                self._make_default(project_id, migproject_id)
        return migproject_id

    def show_migproject(self: SmsBackend, project_id: str, migproject_id: str) -> dict:
        with self._lock:
            doc = copy.deepcopy(self._migproject(project_id, migproject_id))
        doc.pop("id")  # the SDK's show answer has no id
        return doc

    def list_migprojects(self: SmsBackend, project_id: str, query: dict[str, Any]) -> dict:
        with self._lock:
            every = self.migprojects.of(project_id)
            offset, limit = query["offset"], query["limit"] or DEFAULT_MIGPROJECT_PAGE
            page = copy.deepcopy(every[offset : offset + limit])
        return {"count": len(every), "migprojects": page}

    def update_migproject(
        self: SmsBackend, project_id: str, migproject_id: str, given: dict[str, Any]
    ) -> None:
        with self._lock:
            migproject = self._migproject(project_id, migproject_id)
            if "name" in given:
                self._check_migproject_name_free(project_id, given["name"], migproject_id)
            for key, value in given.items():
                if key != "isdefault":
                    migproject[key] = copy.deepcopy(value)
            if given.get("isdefault"):
                self._make_default(project_id, migproject_id)
            self.migprojects.changed(project_id, migproject_id)

    def set_default_migproject(self: SmsBackend, project_id: str, migproject_id: str) -> None:
        with self._lock:
            self._migproject(project_id, migproject_id)
            self._make_default(project_id, migproject_id)

    def _make_default(self: SmsBackend, project_id: str, migproject_id: str) -> None:
        for migproject in self.migprojects.of(project_id):
            isdefault = migproject["id"] == migproject_id
            if migproject.get("isdefault") != isdefault:
                migproject["isdefault"] = isdefault
                self.migprojects.changed(project_id, migproject["id"])

    def delete_migproject(self: SmsBackend, project_id: str, migproject_id: str) -> None:
        """Refused for the default migproject and for one that still holds sources."""
        with self._lock:
            migproject = self._migproject(project_id, migproject_id)
            if migproject.get("isdefault"):
                raise errors.default_migproject_undeletable(migproject_id)
            held = [s for s in self.sources.of(project_id) if s.get(MIGPROJECT) == migproject_id]
            if held:
                raise errors.migproject_not_empty(migproject_id, len(held))
            self.migprojects.delete(project_id, migproject_id)

    # --- the privacy agreement -------------------------------------------------------------

    def privacy_agreed(self: SmsBackend, project_id: str) -> bool:
        with self._lock:
            return bool((self.settings.get(project_id, PRIVACY) or {}).get("flag"))

    def agree_privacy(self: SmsBackend, project_id: str) -> None:
        with self._lock:
            if not self.privacy_agreed(project_id):
                self.settings.put(project_id, PRIVACY, {"flag": True})
