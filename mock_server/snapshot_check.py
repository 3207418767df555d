"""A snapshot checked before it is restored: its structure and references by the contract
(`contracts/snapshot.py`), and the documents inside by the same loaders as the control plane's
puts, so that nothing restored can fail a later call (README, "Snapshots and persistence")."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from sms_mock.contracts.base import first_problem
from sms_mock.contracts.migprojects import MigprojectSchema
from sms_mock.contracts.snapshot import (
    SOURCE_OWN_KEYS,
    ProjectSettingSchema,
    SnapshotSchema,
    SourceOwnKeysSchema,
)
from sms_mock.mock_server.sms.resource_documents import SOURCE_DOCUMENT, TEMPLATE_DOCUMENT
from sms_mock.mock_server.sms.task_documents import load_task_document

_SNAPSHOT = SnapshotSchema()
_MIGPROJECT = MigprojectSchema(partial=True)
_SETTING = ProjectSettingSchema()
_SOURCE_OWN = SourceOwnKeysSchema()


class InvalidSnapshot(ValueError):
    """A snapshot that cannot be restored; the state is left as it was."""


def check_snapshot(snapshot: Any, *, documents: bool) -> None:
    """InvalidSnapshot naming the first field that is wrong; nothing else."""
    try:
        _SNAPSHOT.load(snapshot)
        if documents:
            _check_documents(snapshot["sms"])
    except ValidationError as exc:
        field, problem = first_problem(exc)
        raise InvalidSnapshot(f"{field}: {problem}") from exc


def _check_documents(sms: dict[str, Any]) -> None:
    for index, task in enumerate(sms["tasks"]):
        try:
            load_task_document(task["doc"])
        except ValidationError as exc:
            raise _under(f"sms.tasks.{index}.doc", exc) from exc
    for index, row in enumerate(sms.get("resources", [])):
        where = f"sms.resources.{index}.doc"
        doc = row["doc"]
        try:
            if row["kind"] == "source":
                _SOURCE_OWN.load(doc)
                SOURCE_DOCUMENT.load({k: v for k, v in doc.items() if k not in SOURCE_OWN_KEYS})
            elif row["kind"] == "template":
                TEMPLATE_DOCUMENT.load(doc)
            elif row["kind"] == "migproject":
                _MIGPROJECT.load(doc)
            else:
                _SETTING.load(doc)
        except ValidationError as exc:
            raise _under(where, exc) from exc


def _under(where: str, exc: ValidationError) -> ValidationError:
    field, problem = first_problem(exc)
    return ValidationError(problem, f"{where}.{field}")
