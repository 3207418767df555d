"""One project's tasks as `GET /v3/tasks` lists them: newest first, then by id, and by each
field the list filters on, kept up to date on every change, so that a page costs its own size
and not the project's (README, "Performance").

A key is `(-create_date, id)`: a plain list of keys kept sorted with `bisect` is the list's
order, and one such list a state is the order of the tasks in that state. The other filters
(`name`, `source_server_id`, `enterprise_project_id`) keep, by value, the id of the one task
that has it, or the sorted keys of the tasks when there are more (a value may be shared by
every task: enterprise project "0"); `id` is the entries themselves. A page with several
filters walks the shortest of their lists and checks the others on each entry.

Two more values are held alike for the backend's rules rather than for a list: a task's
template (`vm_template_id`: a template in use is not deleted) and its target server
(`target_vm_id`: one task a target), so that neither rule walks every task of the project.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

Key = tuple[int, str]

# The list filters that pick tasks by value (`id` is looked up in the entries).
SET_FILTERS = ("name", "source_server_id", "enterprise_project_id")
# Every value held by value: the list filters, then those the backend's rules look up.
BY_VALUE = (*SET_FILTERS, "vm_template_id", "target_vm_id")
Held = str | list[Key]  # the id of the one task with a value, or the sorted keys of several


@dataclass(frozen=True, slots=True)
class Indexed:
    """What the index holds of one task."""

    key: Key
    state: Any
    values: tuple[Any, ...]  # in BY_VALUE's order


def indexed(listed: dict[str, Any]) -> Indexed:
    """The index's view of a task, from its listed fields (`Task.listed`)."""
    source = listed.get("source_server")
    source_id = source.get("id") if isinstance(source, dict) else None
    target = listed.get("target_server")
    target_vm_id = target.get("vm_id") if isinstance(target, dict) else None
    created = listed.get("create_date")
    key = (-created if isinstance(created, int) else 0, str(listed.get("id")))
    values = (
        listed.get("name"),
        source_id,
        listed.get("enterprise_project_id"),
        listed.get("vm_template_id"),
        target_vm_id,
    )
    return Indexed(key, listed.get("state"), values)


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
        self.by_value: tuple[dict[Any, Held], ...] = tuple({} for _ in BY_VALUE)
        self.entries: dict[str, Indexed] = {}
        # Tasks a list settles to now first: those the clock moves (a run, a timer, a log).
        self.moving: set[str] = set()
        # Counts the changes of what a page reads (which tasks match a query, in what order):
        # a page kept at one generation is the index's page while it is still that one.
        self.generation = 0

    def __len__(self) -> int:
        return len(self.entries)

    def update(self, task_id: str, listed: dict[str, Any], moving: bool) -> None:
        """Index the task as it is now; only what changed is moved (cheap when nothing the
        list reads has changed)."""
        if moving:
            self.moving.add(task_id)
        else:
            self.moving.discard(task_id)
        new = indexed(listed)
        old = self.entries.get(task_id)
        if old == new:
            return
        self.generation += 1
        self.entries[task_id] = new
        moved = old is None or old.key != new.key
        if moved:
            if old is not None:
                _drop(self.order, old.key)
            bisect.insort(self.order, new.key)
        if moved or old.state != new.state:  # type: ignore[union-attr]
            if old is not None:
                self._drop_state(old)
            bisect.insort(self.by_state.setdefault(new.state, []), new.key)
        for at, table in enumerate(self.by_value):
            if moved or old.values[at] != new.values[at]:  # type: ignore[union-attr]
                if old is not None:
                    self._discard(table, old.values[at], old.key)
                self._add(table, new.values[at], new.key)

    def remove(self, task_id: str) -> None:
        self.moving.discard(task_id)
        old = self.entries.pop(task_id, None)
        if old is None:
            return
        self.generation += 1
        _drop(self.order, old.key)
        self._drop_state(old)
        for table, value in zip(self.by_value, old.values, strict=True):
            self._discard(table, value, old.key)

    def _drop_state(self, old: Indexed) -> None:
        in_state = self.by_state.get(old.state)
        if in_state is not None:
            _drop(in_state, old.key)
            if not in_state:
                del self.by_state[old.state]

    def _add(self, table: dict[Any, Held], value: Any, key: Key) -> None:
        if value is None:  # no list query asks for a missing value
            return
        held = table.get(value)
        if held is None:
            table[value] = key[1]
        elif isinstance(held, list):
            bisect.insort(held, key)
        elif held != key[1]:
            table[value] = sorted((self.entries[held].key, key))

    @staticmethod
    def _discard(table: dict[Any, Held], value: Any, key: Key) -> None:
        held = table.get(value)
        if held is None:
            return
        if isinstance(held, list):
            _drop(held, key)
            if len(held) == 1:
                table[value] = held[0][1]
        elif held == key[1]:
            del table[value]

    def holders(self, name: str, value: Any) -> list[str]:
        """The ids of the tasks whose value `name` (one of BY_VALUE) is `value`, newest first."""
        if value is None:
            return []
        held = self.by_value[BY_VALUE.index(name)].get(value)
        return [key[1] for key in self._keys(held)]

    def _keys(self, held: Held | None) -> list[Key]:
        if held is None:
            return []
        return held if isinstance(held, list) else [self.entries[held].key]

    def page(self, query: dict[str, Any], offset: int, limit: int) -> tuple[int, list[str]]:
        """(how many match, the ids of the page) for a list query's filters."""
        lists: list[list[Key]] = []
        if "id" in query:  # a task's document always carries the id it is kept under
            entry = self.entries.get(query["id"])
            lists.append([entry.key] if entry is not None else [])
        for table, name in zip(self.by_value[: len(SET_FILTERS)], SET_FILTERS, strict=True):
            if name in query:
                lists.append(self._keys(table.get(query[name])))
        if "state" in query:
            lists.append(self.by_state.get(query["state"], []))
        if not lists:
            keys = self.order
        elif len(lists) == 1:
            keys = lists[0]
        else:
            keys = [k for k in min(lists, key=len) if self._matches(self.entries[k[1]], query)]
        return len(keys), [key[1] for key in keys[offset : offset + limit]]

    @staticmethod
    def _matches(entry: Indexed, query: dict[str, Any]) -> bool:
        if "id" in query and entry.key[1] != query["id"]:
            return False
        if "state" in query and entry.state != query["state"]:
            return False
        return all(
            entry.values[at] == query[name] for at, name in enumerate(SET_FILTERS) if name in query
        )
