"""Source and template documents put in from outside (control plane, fixtures, scenarios),
checked by contract: shaped like GET /v3/sources/{id} and a template of GET /v3/vm/templates,
any subset, kept as given."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from sms_mock.contracts.base import Pattern
from sms_mock.contracts.sms import SOURCE_ID_PATTERN
from sms_mock.contracts.sources import SourceSchema
from sms_mock.contracts.templates import TemplateSchema

_SOURCE_SCHEMA = SourceSchema(partial=True)
_TEMPLATE_SCHEMA = TemplateSchema(partial=True)
_ID = Pattern(SOURCE_ID_PATTERN, error="Must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '-'.")


class _DocumentLoader:
    def __init__(self, schema: Any, what: str, flags: tuple[str, ...] = ()) -> None:
        self.schema, self.what, self.flags = schema, what, flags

    def load(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise ValidationError({"body": [f"A {self.what} document is a JSON object."]})
        for key in raw:
            # `_task_id`, `_command_results`, ...: the emulator's own, derived or recorded by it.
            if isinstance(key, str) and key.startswith("_"):
                raise ValidationError({key: ["The emulator's own key: a document cannot set it."]})
        flags = {key: raw[key] for key in self.flags if key in raw}
        for key, value in flags.items():
            if not isinstance(value, bool):
                raise ValidationError({key: ["Not a valid boolean: a JSON true or false."]})
        self.schema.load({key: value for key, value in raw.items() if key not in self.flags})
        if raw.get("id") is not None:
            try:
                _ID(raw["id"])
            except ValidationError as exc:
                raise ValidationError({"id": exc.messages}) from exc
        return dict(raw)


# `agent_driven`: the emulator's own flag, not an answer's key: its task moves by reports.
SOURCE_DOCUMENT = _DocumentLoader(_SOURCE_SCHEMA, "source", ("agent_driven",))
TEMPLATE_DOCUMENT = _DocumentLoader(_TEMPLATE_SCHEMA, "template")
