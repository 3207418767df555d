"""Task documents put in from outside (control plane, fixtures, scenarios), checked by contract."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from sms_mock.contracts.base import TASK_ID_RE
from sms_mock.contracts.control import DurationsField
from sms_mock.contracts.sms import TaskSchema
from sms_mock.contracts.task_settings import UpdateSpeedRequestSchema

_TASK_SCHEMA = TaskSchema(partial=True)
_DURATIONS = DurationsField()
_SPEED = UpdateSpeedRequestSchema()


def load_task_document(raw: Any) -> tuple[dict[str, Any], dict[str, float]]:
    """Validate a task document shaped like GET /v3/tasks/{id}, any subset of it.

    Returns the document exactly as given (not as marshmallow would re-shape it), minus the
    emulator's own `durations` key, and those durations; a `speed_limits` key (windows, as
    POST /v3/tasks/{id}/speed-limit takes them) stays, for `SmsBackend.put`. Raises
    ValidationError.
    """
    if not isinstance(raw, dict):
        raise ValidationError({"body": ["A task document is a JSON object."]})
    doc = dict(raw)
    durations: dict[str, float] = {}
    if "durations" in doc:
        try:
            durations = _DURATIONS.deserialize(doc.pop("durations"))
        except ValidationError as exc:
            raise ValidationError({"durations": exc.messages}) from exc
    if "speed_limits" in doc:  # the task's speed-limit windows, as POST .../speed-limit takes
        try:
            _SPEED.load({"speed_limit": doc["speed_limits"]})
        except ValidationError as exc:
            messages = exc.messages.get("speed_limit", exc.messages)  # type: ignore[union-attr]
            raise ValidationError({"speed_limits": messages}) from exc
    _TASK_SCHEMA.load({key: value for key, value in doc.items() if key != "speed_limits"})
    task_id = doc.get("id")
    if task_id is not None and not TASK_ID_RE.fullmatch(task_id):
        raise ValidationError({"id": ["Must be 1 to 36 characters of A-Z, a-z, 0-9, '_' and '-'."]})
    return doc, durations


class TaskDocumentLoader:
    """`load_task_document` with a schema's `load`, for `core.http.load`."""

    def load(self, raw: Any) -> tuple[dict[str, Any], dict[str, float]]:
        return load_task_document(raw)


TASK_DOCUMENT = TaskDocumentLoader()
