"""A book of things that expire (tokens, temporary credentials), dropped a while after they do.

Every add sweeps what expired more than `keep_ms` ago off a heap ordered by expiry, so the book
holds only what was issued recently on the clock, however many are issued over its life. An
expired entry is kept for `keep_ms` first, so that the gateway can still say "expired" rather
than "unknown" to a client that comes back late.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from typing import Generic, Protocol, TypeVar


class Expiring(Protocol):
    @property
    def expires_ms(self) -> int: ...


E = TypeVar("E", bound=Expiring)


class ExpiringBook(Generic[E]):
    """Entries by key, each with its `expires_ms`; not thread-safe (IamBackend locks around it)."""

    def __init__(self, keep_ms: int) -> None:
        self.keep_ms = keep_ms
        self._entries: dict[str, E] = {}
        self._heap: list[tuple[int, str]] = []

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[E]:
        return iter(list(self._entries.values()))

    def get(self, key: str) -> E | None:
        return self._entries.get(key)

    def oldest_key(self) -> str | None:
        """The key added first among those held."""
        return next(iter(self._entries), None)

    def add(self, key: str, entry: E, now_ms: int) -> list[tuple[str, E]]:
        """Add an entry; answer those swept off because they expired long enough ago."""
        self._entries[key] = entry
        heapq.heappush(self._heap, (entry.expires_ms, key))
        return self.sweep(now_ms)

    def remove(self, key: str) -> E | None:
        """Drop an entry before its time. Its heap row stays until swept, so the heap is
        rebuilt when such rows outnumber the entries: it stays bounded on a clock that stands
        still, where nothing is swept."""
        entry = self._entries.pop(key, None)
        if len(self._heap) > 2 * len(self._entries) + 64:
            self._heap = [(e.expires_ms, k) for k, e in self._entries.items()]
            heapq.heapify(self._heap)
        return entry

    def sweep(self, now_ms: int) -> list[tuple[str, E]]:
        dropped: list[tuple[str, E]] = []
        heap, entries = self._heap, self._entries
        while heap and heap[0][0] + self.keep_ms <= now_ms:
            expires_ms, key = heapq.heappop(heap)
            entry = entries.get(key)
            # A key re-added or removed since has no heap row of its own here: this one is stale.
            if entry is not None and entry.expires_ms == expires_ms:
                del entries[key]
                dropped.append((key, entry))
        return dropped

    def replace_all(self, entries: Iterable[tuple[str, E]], now_ms: int) -> None:
        self._entries = dict(entries)
        self._heap = [(e.expires_ms, k) for k, e in self._entries.items()]
        heapq.heapify(self._heap)
        self.sweep(now_ms)
