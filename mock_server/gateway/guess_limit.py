"""A limit on wrong admin tokens: after a few wrong tries from one client address, that address
waits, longer after each further wrong try.

Without it the admin token could be tried hundreds of times a second. While an address waits,
every admin token it sends is refused unread (429, `Retry-After`), the right one too: a guess
that is not read cannot be confirmed. A right token once the wait is over forgets the address.
The table is bounded (the oldest address is forgotten first), so memory stays bounded whatever
the number of addresses.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

FREE_GUESSES = 5  # wrong tries an address makes before it waits at all
FIRST_WAIT_S = 1.0  # the wait after the first try beyond the free ones; doubled after each
LONGEST_WAIT_S = 60.0
ADDRESSES_KEPT = 4096


@dataclass
class _Record:
    wrong: int = 0
    until: float = 0.0  # monotonic time before which this address is refused unread


@dataclass
class GuessLimiter:
    """Wrong admin tokens by client address; `now` is injectable so that tests move time."""

    now: Callable[[], float] = time.monotonic
    free: int = FREE_GUESSES
    first_wait_s: float = FIRST_WAIT_S
    longest_wait_s: float = LONGEST_WAIT_S
    kept: int = ADDRESSES_KEPT
    _records: OrderedDict[str, _Record] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wait_s(self, address: str) -> int:
        """Whole seconds `address` must still wait before its token is read; 0 if none."""
        with self._lock:
            record = self._records.get(address)
            if record is None:
                return 0
            left = record.until - self.now()
        return math.ceil(left) if left > 0 else 0

    def wrong(self, address: str) -> None:
        """A wrong token from `address`: past the free tries, a wait that doubles each time."""
        with self._lock:
            record = self._records.pop(address, None) or _Record()
            record.wrong += 1
            beyond = record.wrong - self.free
            if beyond > 0:
                wait = min(self.first_wait_s * 2 ** min(beyond - 1, 32), self.longest_wait_s)
                record.until = self.now() + wait
            self._records[address] = record  # the newest last: the oldest is forgotten first
            while len(self._records) > self.kept:
                self._records.popitem(last=False)

    def right(self, address: str) -> None:
        with self._lock:
            self._records.pop(address, None)
