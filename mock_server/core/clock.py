"""The emulator's clocks: everything time-driven (lifecycle, token expiry, lock-outs) reads one.

`ManualClock` starts at the wall time and moves only when told; `RealClock` runs at wall time
times `speed`. Both can be moved forward; neither goes back, so a task's settled past stays true.
Neither passes `CLOCK_MAX_MS` (9000-01-01): beyond it no snapshot or state file would load
again, so a clock advanced or run that far stops there.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sms_mock.contracts.enums import ClockMode
from sms_mock.contracts.snapshot import CLOCK_MAX_MS


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


def monotonic_ms() -> int:
    return time.monotonic_ns() // 1_000_000


def iso_ms(ms: int) -> str:
    """Epoch milliseconds as IAM writes times: ISO-8601 UTC with six fraction digits."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Clock(Protocol):
    mode: ClockMode
    speed: float

    def now_ms(self) -> int: ...
    def advance(self, seconds: float) -> int: ...
    def reset(self) -> None: ...
    def snapshot(self) -> dict: ...
    def restore(self, data: dict) -> None: ...
    def set_speed(self, speed: float) -> None: ...
    def base(self) -> tuple[int, ...]:
        """What changes when the clock is moved, set or reset, and not as time just passes:
        a state file writes the clock's position only with a change of its own or of this."""
        ...


@dataclass
class ManualClock:
    """Starts at the wall time (at start and at reset), then moves only by `advance`."""

    mode: ClockMode = ClockMode.MANUAL
    speed: float = 0.0
    _now: int = field(default_factory=wall_ms)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def now_ms(self) -> int:
        return self._now

    def advance(self, seconds: float) -> int:
        with self._lock:
            self._now = min(self._now + round(seconds * 1000), CLOCK_MAX_MS)
            return self._now

    def reset(self) -> None:
        with self._lock:
            self._now = wall_ms()

    def snapshot(self) -> dict:
        return {"mode": self.mode.value, "now_ms": self._now}

    def base(self) -> tuple[int, ...]:
        return (self._now,)

    def set_speed(self, speed: float) -> None:
        raise ValueError("A manual clock has no speed: it moves only when advanced.")

    def restore(self, data: dict) -> None:
        with self._lock:
            self._now = int(data["now_ms"])


@dataclass
class RealClock:
    """Wall time times `speed` since the anchor, plus whatever `advance` added.

    The time passed is measured on the monotonic clock, so that the emulator's never goes
    back when the machine's is set back (NTP, a suspended laptop); it starts at the wall time.
    """

    speed: float = 1.0
    mode: ClockMode = ClockMode.REAL
    _anchor_mono: int = field(default_factory=monotonic_ms)
    _anchor_virtual: int = field(default_factory=wall_ms)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def now_ms(self) -> int:
        passed = int((monotonic_ms() - self._anchor_mono) * self.speed)
        return min(self._anchor_virtual + passed, CLOCK_MAX_MS)

    def advance(self, seconds: float) -> int:
        with self._lock:
            self._anchor_virtual = min(self._anchor_virtual + round(seconds * 1000), CLOCK_MAX_MS)
            return self.now_ms()

    def reset(self) -> None:
        """A new timeline, from the wall time now."""
        with self._lock:
            self._anchor_mono = monotonic_ms()
            self._anchor_virtual = wall_ms()

    def snapshot(self) -> dict:
        return {"mode": self.mode.value, "now_ms": self.now_ms(), "speed": self.speed}

    def set_speed(self, speed: float) -> None:
        """From now on, `speed` times wall time; the time already passed stays as it was."""
        with self._lock:
            self._anchor_virtual = self.now_ms()
            self._anchor_mono = monotonic_ms()
            self.speed = speed

    def base(self) -> tuple[int, ...]:
        return (self._anchor_mono, self._anchor_virtual)

    def restore(self, data: dict) -> None:
        """A new timeline, from the snapshot's time."""
        with self._lock:
            self._anchor_mono = monotonic_ms()
            self._anchor_virtual = int(data["now_ms"])


def reading(clock: Clock) -> dict[str, Any]:
    """The clock as the control plane shows it: mode, now (epoch ms and ISO-8601), speed."""
    now = clock.now_ms()
    return {"mode": clock.mode.value, "now_ms": now, "now": iso_ms(now), "speed": clock.speed}


def make_clock(mode: str | ClockMode, speed: float = 1.0) -> Clock:
    if ClockMode(mode) is ClockMode.MANUAL:
        return ManualClock()
    return RealClock(speed=speed)  # Config has checked its range
