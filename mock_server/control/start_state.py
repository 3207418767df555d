"""What a reset gives back: the fixtures' and the start-up scenarios' state, built once and kept.

Building that state through the backends' write paths (defaults, deep copies, packing) took
about 2 ms, at every reset. It is built once instead, kept pickled (our own JSON-ready data:
its decode is a deep copy at half the cost of JSON's), and each reset decodes it and moves its
dates onto the clock. Which numbers are dates on the clock is found rather than
listed (a fixture written without a clock keeps its own dates, while the defaults a put adds
are the clock's): the state is built twice, on clocks a day apart, and a number that differs
by exactly that day is a date on the clock. A string that differs is an id made afresh, kept as
the first build made it (each reset that restores it gives back the same ids). Any other difference
means the state is not the same state moved in time, and nothing is kept: every reset then
builds it afresh.
"""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass
from typing import Any

from sms_mock.contracts.fields import INT64_MAX, INT64_MIN

# How far apart the two builds' clocks are: far enough that no date of one build equals
# another's of the other build by chance.
PROBE_SHIFT_MS = 24 * 3600 * 1000
MADE_ID = re.compile(r"[0-9a-f]{32}")  # what `core.ids.new_id` makes

Path = tuple[str | int, ...]


def clock_paths(first: Any, probe: Any, shift_ms: int) -> list[Path] | None:
    """Where `probe` (built `shift_ms` later) holds `first`'s dates moved by `shift_ms`; None
    when the two differ in any other way than those dates and ids made afresh."""
    found: list[Path] = []

    def walk(a: Any, b: Any, path: Path) -> bool:
        if type(a) is not type(b):
            return False
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(walk(a[k], b[k], (*path, k)) for k in a)
        if isinstance(a, list):
            return len(a) == len(b) and all(
                walk(x, y, (*path, i)) for i, (x, y) in enumerate(zip(a, b, strict=True))
            )
        if a == b:
            return True
        if isinstance(a, int) and b - a == shift_ms:
            found.append(path)
            return True
        return isinstance(a, str) and bool(MADE_ID.fullmatch(a) and MADE_ID.fullmatch(b))

    return found if walk(first, probe, ()) else None


@dataclass(frozen=True)
class StartState:
    """A state built at `built_ms`, pickled, and the paths of its dates on the clock."""

    built_ms: int
    data: bytes
    paths: tuple[Path, ...]

    @classmethod
    def of(cls, first: dict[str, Any], probe: dict[str, Any], built_ms: int) -> StartState | None:
        """From two builds of the same state, the second `PROBE_SHIFT_MS` after the first;
        None when they are not the same state moved in time."""
        paths = clock_paths(first, probe, PROBE_SHIFT_MS)
        if paths is None:
            return None
        return cls(built_ms, pickle.dumps(first, pickle.HIGHEST_PROTOCOL), tuple(paths))

    def at(self, now_ms: int) -> dict[str, Any]:
        """A fresh copy of the state as built at `now_ms`."""
        state = pickle.loads(self.data)
        shift = now_ms - self.built_ms
        if shift:
            for path in self.paths:
                holder = state
                for key in path[:-1]:
                    holder = holder[key]
                # Within int64, as the fixtures' own dates are moved (`written_dates`).
                holder[path[-1]] = min(max(holder[path[-1]] + shift, INT64_MIN), INT64_MAX)
        return state
