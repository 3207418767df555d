"""One project's tasks as `GET /v3/tasks` lists them: newest first, then by id, and by each
field the list filters on, kept up to date on every change, so that a page costs its own size
and not the project's (README, "Performance").

A key is `(-create_date, id)`: a plain list of keys kept sorted with `bisect` is the list's
order, and one such list a state is the order of the tasks in that state. The other filters
(`name`, `source_server_id`, `enterprise_project_id`) pick few tasks: by value, the id of the
one task that has it, or a set of ids when there are more (a set a task would double what a
task at rest costs); `id` is the entries themselves.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Key = tuple[int, str]

# The list filters that pick a few tasks by value (`id` is looked up in the entries).
SET_FILTERS = ("name", "source_server_id", "enterprise_project_id")
IdOrIds = str | set[str]


@dataclass(frozen=True, slots=True)
class Indexed:
    """What the index holds of one task."""

    key: Key
    state: Any
    values: tuple[Any, ...]  # in SET_FILTERS' order


def indexed(listed: dict[str, Any]) -> Indexed:
    """The index's view of a task, from its listed fields (`Task.listed`)."""
    source = listed.get("source_server")
    source_id = source.get("id") if isinstance(source, dict) else None
    created = listed.get("create_date")
    key = (-created if isinstance(created, int) else 0, str(listed.get("id")))
    values = (listed.get("name"), source_id, listed.get("enterprise_project_id"))
    return Indexed(key, listed.get("state"), values)


def _add(table: dict[Any, IdOrIds], value: Any, task_id: str) -> None:
    held = table.get(value)
    if held is None:
        table[value] = task_id
    elif isinstance(held, set):
        held.add(task_id)
    elif held != task_id:
        table[value] = {held, task_id}


def _discard(table: dict[Any, IdOrIds], value: Any, task_id: str) -> None:
    held = table.get(value)
    if held is None:
        return
    if isinstance(held, set):
        held.discard(task_id)
        if len(held) == 1:
            table[value] = next(iter(held))
    elif held == task_id:
        del table[value]


def _ids(held: IdOrIds | None) -> set[str]:
    if held is None:
        return set()
    return set(held) if isinstance(held, set) else {held}


def _drop(keys: list[Key], key: Key) -> None:
    at = bisect.bisect_left(keys, key)
    if at < len(keys) and keys[at] == key:
        del keys[at]


class TaskIndex:
    """The list order of one project's tasks and its filters; not thread-safe (the backend
    holds its lock around every call)."""

    def __init__(self) -> None:
        self.order: list[Key] = []
        self.by_state: dict[Any, list[Key]] = {}
        self.by_value: tuple[dict[Any, IdOrIds], ...] = tuple({} for _ in SET_FILTERS)
        self.entries: dict[str, Indexed] = {}
        # Tasks a list settles to now first: those the clock moves (a run, a timer, a log).
        self.moving: set[str] = set()

    def __len__(self) -> int:
        return len(self.entries)

    def update(self, task_id: str, listed: dict[str, Any], moving: bool) -> None:
        """Index the task as it is now; cheap when nothing the list reads has changed."""
        if moving:
            self.moving.add(task_id)
        else:
            self.moving.discard(task_id)
        new = indexed(listed)
        old = self.entries.get(task_id)
        if old == new:
            return
        if old is not None:
            self._unindex(task_id, old)
        self.entries[task_id] = new
        bisect.insort(self.order, new.key)
        bisect.insort(self.by_state.setdefault(new.state, []), new.key)
        for table, value in zip(self.by_value, new.values, strict=True):
            _add(table, value, task_id)

    def remove(self, task_id: str) -> None:
        self.moving.discard(task_id)
        old = self.entries.pop(task_id, None)
        if old is not None:
            self._unindex(task_id, old)

    def _unindex(self, task_id: str, old: Indexed) -> None:
        _drop(self.order, old.key)
        in_state = self.by_state.get(old.state)
        if in_state is not None:
            _drop(in_state, old.key)
            if not in_state:
                del self.by_state[old.state]
        for table, value in zip(self.by_value, old.values, strict=True):
            _discard(table, value, task_id)

    def page(self, query: dict[str, Any], offset: int, limit: int) -> tuple[int, list[str]]:
        """(how many match, the ids of the page) for a list query's filters."""
        picked: set[str] | None = None
        if "id" in query:  # a task's document always carries the id it is kept under
            picked = {query["id"]} if query["id"] in self.entries else set()
        for table, name in zip(self.by_value, SET_FILTERS, strict=True):
            if name in query:
                ids = _ids(table.get(query[name]))
                picked = ids if picked is None else picked & ids
        if picked is None:
            keys = self.order if "state" not in query else self.by_state.get(query["state"], [])
            return len(keys), [key[1] for key in keys[offset : offset + limit]]
        chosen: Iterable[Indexed] = (self.entries[i] for i in picked)
        if "state" in query:
            chosen = (e for e in chosen if e.state == query["state"])
        keys = sorted(e.key for e in chosen)
        return len(keys), [key[1] for key in keys[offset : offset + limit]]
