"""Stocked servers several measurements read: started once a run, on first use, stopped at its end.

Stocking 100,000 tasks takes seconds; the GET with 100,000 tasks, the list pages and the GET
under listing load all read the same server, so a whole run stocks it once. A section run alone
starts what it needs itself. `close()` (bench.__main__, whatever happens) stops them all.
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from bench.common import THREADS, log
from bench.procs import Served, serving


@dataclass
class Stocked:
    served: Served
    info: dict[str, Any]  # what bench.stocked measured before it served


_stack = ExitStack()
_servers: dict[int, Stocked] = {}


def stocked(tasks: int) -> Stocked:
    """The server holding `tasks` put tasks (and their profiles), started on first use."""
    if tasks not in _servers:
        log(f"stocking {tasks:,} tasks in a server")
        command = [sys.executable, "-m", "bench.stocked", "--threads", str(THREADS)]
        command += ["--tasks", str(tasks), "--profile"]
        served = _stack.enter_context(serving(command))
        info = json.loads(served.line.split(" ", 4)[4])
        _servers[tasks] = Stocked(served, info)
    return _servers[tasks]


def close() -> None:
    """Stop every server started here."""
    _servers.clear()
    _stack.close()
