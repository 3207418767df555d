"""Speed-limit windows on the clock: the limit in force at an instant, and where it changes.

A window is `{"start": "HH:MM", "end": "HH:MM", "speed": Mbit/s, "over_speed_threshold": %}`
on the emulator's clock in UTC (INFERRED: SMS does not say which time zone), start inclusive,
end exclusive; a window whose end is before its start runs across midnight, and one whose start
is its end covers the whole day. Outside every window the task's own `speed_limit` applies
(0: none); where several apply, the lowest wins (README, "Speed limits").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

DAY_MS = 86_400_000
MINUTE_MS = 60_000


@dataclass(frozen=True)
class Window:
    start: int  # minute of the day, inclusive
    end: int  # minute of the day, exclusive
    speed: float  # Mbit/s

    def covers(self, minute: int) -> bool:
        if self.start < self.end:
            return self.start <= minute < self.end
        if self.start > self.end:  # across midnight
            return minute >= self.start or minute < self.end
        return True


def minute_of(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def windows_of(given: list[dict[str, Any]] | None) -> tuple[Window, ...]:
    """The windows of a task's speed-limit setting; a speed of 0 limits nothing."""
    return tuple(
        Window(minute_of(w["start"]), minute_of(w["end"]), float(w["speed"]))
        for w in given or ()
        if w.get("speed")
    )


def speed_at(windows: tuple[Window, ...], at_ms: int, base: float) -> float:
    """The speed in force at `at_ms`: the lowest of `base` and every window that covers it."""
    minute = (at_ms % DAY_MS) // MINUTE_MS
    return min([base, *(w.speed for w in windows if w.covers(minute))])


def next_change(windows: tuple[Window, ...], at_ms: int) -> int:
    """The first instant after `at_ms` where a window starts or ends."""
    day = at_ms - at_ms % DAY_MS
    edges = sorted({minute for w in windows for minute in (w.start, w.end)})
    for minute in edges:
        instant = day + minute * MINUTE_MS
        if instant > at_ms:
            return instant
    return day + DAY_MS + edges[0] * MINUTE_MS


class Pace:
    """How fast a data sub-task moves under a task's windows, as a share of `base` speed.

    `work(a, b)` is the milliseconds of full-speed transfer done between a and b; `when(a, w)` is
    the first instant at which `w` of them are done. Whole days are skipped arithmetically, so a
    limit that makes a migration take years costs no more than one that makes it take minutes.
    """

    def __init__(self, windows: tuple[Window, ...], base: float) -> None:
        self.windows, self.base = windows, base
        self._day_work: float | None = None

    def rate(self, at_ms: int) -> float:
        return speed_at(self.windows, at_ms, self.base) / self.base

    def _segments_work(self, start: int, stop: int) -> float:
        done, at = 0.0, start
        while at < stop:
            edge = min(next_change(self.windows, at), stop)
            done += (edge - at) * self.rate(at)
            at = edge
        return done

    def day_work(self) -> float:
        if self._day_work is None:
            self._day_work = self._segments_work(0, DAY_MS)
        return self._day_work

    def work(self, start: int, stop: int) -> float:
        if stop <= start:
            return 0.0
        days = (stop - start) // DAY_MS
        return days * self.day_work() + self._segments_work(start + days * DAY_MS, stop)

    def when(self, start: int, needed: float) -> int:
        at, left = start, needed
        if left > self.day_work():
            days = int(left // self.day_work()) - 1
            at, left = at + days * DAY_MS, left - days * self.day_work()
        while True:
            edge = next_change(self.windows, at)
            rate = self.rate(at)
            span = (edge - at) * rate
            if span >= left:
                return at + math.ceil(left / rate)
            left -= span
            at = edge
