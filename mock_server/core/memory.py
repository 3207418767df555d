"""Handing freed memory back to the system after a large request (a snapshot's restore).

CPython frees a parsed document's objects as soon as nothing holds them, but the C allocator
keeps the pages for later: without this, a 48 MiB restore left hundreds of MiB resident.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim  # noqa: B018 (glibc only: musl and macOS have none)
    except (OSError, AttributeError, TypeError):
        return None
    return libc


def hand_back_free_memory() -> None:
    """Collect what cycles hold, then give the allocator's free pages back (glibc's
    `malloc_trim`; elsewhere only the collection)."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
