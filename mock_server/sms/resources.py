"""A book of one kind of SMS resource (sources, templates, migprojects), by project then id.

Every book of a backend shares the backend's lock, so that an answer that reads a source and
its task, or a create that checks a source, a template and a migproject, sees one instant.
Each book remembers what changed for the state file, as the task store does.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from typing import Any


class ResourceBook:
    """JSON-ready documents by project and id; the caller holds `lock` around every call."""

    def __init__(self, kind: str, lock: threading.RLock) -> None:
        self.kind = kind
        self.lock = lock
        self._items: dict[str, dict[str, dict[str, Any]]] = {}
        self._changes: dict[tuple[str, str], bool] = {}
        self.track_changes = False  # set when the emulator keeps a state file

    def get(self, project_id: str, item_id: str) -> dict[str, Any] | None:
        return self._items.get(project_id, {}).get(item_id)

    def of(self, project_id: str) -> list[dict[str, Any]]:
        """The project's documents, in the order they were put in."""
        return list(self._items.get(project_id, {}).values())

    def named(self, project_id: str, name: str, other_than: str = "") -> dict[str, Any] | None:
        """The project's document of that name, but the one of id `other_than`; None if none."""
        for item in self._items.get(project_id, {}).values():
            if item.get("name") == name and item.get("id") != other_than:
                return item
        return None

    def everywhere(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for project_id, items in self._items.items():
            for item in items.values():
                yield project_id, item

    def put(self, project_id: str, item_id: str, doc: dict[str, Any]) -> None:
        self._items.setdefault(project_id, {})[item_id] = doc
        self.changed(project_id, item_id)

    def delete(self, project_id: str, item_id: str) -> None:
        self._items.get(project_id, {}).pop(item_id, None)
        if self.track_changes:
            self._changes[(project_id, item_id)] = False

    def changed(self, project_id: str, item_id: str) -> None:
        # Remembered only for a state file: without one nothing drains it, and it would grow.
        if self.track_changes:
            self._changes[(project_id, item_id)] = True

    def export(self) -> list[dict[str, Any]]:
        return [
            {"kind": self.kind, "project_id": project_id, "id": item_id, "doc": doc}
            for project_id, items in self._items.items()
            for item_id, doc in items.items()
        ]

    def restore(self, rows: list[dict[str, Any]]) -> None:
        self._items = {}
        for row in rows:
            if row["kind"] == self.kind:
                self._items.setdefault(row["project_id"], {})[row["id"]] = row["doc"]
        self._changes.clear()

    def drain_changes(self) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
        """(rows changed, (kind, project, id) of rows deleted) since the last call."""
        changes, self._changes = self._changes, {}
        kept = [
            {"kind": self.kind, "project_id": p, "id": i, "doc": copy.deepcopy(self.get(p, i))}
            for (p, i), alive in changes.items()
            if alive and self.get(p, i) is not None
        ]
        gone = [(self.kind, p, i) for (p, i), alive in changes.items() if not alive]
        return kept, gone
