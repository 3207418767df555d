"""Where a call's time goes: one WSGI app called in process, timed, then under cProfile.

What a missed target's note shows: the app's cost a call with no server and no network, and
the top functions of its profile by cumulative time, per call. cProfile slows every function
call down, so its microseconds are larger than the unprofiled ones; the shares are what count.
"""

from __future__ import annotations

import cProfile
import pstats
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import ROOT

TOP = 12
PROFILE_HEAD = ["function (by cumulative time)", "calls a call", "cumulative us", "own us", "share"]
_PREFIXES = sorted(
    {str(ROOT) + "/", sysconfig.get_paths()["purelib"] + "/", sysconfig.get_paths()["stdlib"] + "/"},
    key=len,
    reverse=True,
)


@dataclass
class Profile:
    """One call's in-process cost and its profile's top rows, ready for a table."""

    caption: str
    rows: list[list[str]] = field(default_factory=list)
    head: list[str] = field(default_factory=lambda: list(PROFILE_HEAD))

    def as_dict(self) -> dict[str, Any]:
        return {"caption": self.caption, "rows": self.rows, "head": self.head}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        return cls(data["caption"], data["rows"], data["head"])


def _where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":  # a built-in
        return name
    for prefix in _PREFIXES:
        if filename.startswith(prefix):
            filename = filename[len(prefix) :]
            break
    else:
        filename = Path(filename).name
    return f"{filename}:{line}({name})"


def environ_for(
    method: str, path: str, headers: dict[str, str], body: str | None
) -> dict[str, Any]:
    """A WSGI environ for one request, as werkzeug's test tools build it."""
    from werkzeug.test import EnvironBuilder

    query = ""
    if "?" in path:
        path, query = path.split("?", 1)
    data = body.encode() if body is not None else None
    builder = EnvironBuilder(
        path=path, method=method, headers=headers, data=data, query_string=query
    )
    return builder.get_environ()


def _caller(app: Callable[..., Any], environ: dict[str, Any]) -> Callable[[], None]:
    body = environ.get("wsgi.input")
    raw = body.read() if body is not None else b""

    def start_response(status: str, headers: list[Any], *args: Any) -> None:
        pass

    def call() -> None:
        import io

        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(raw)
        result = app(env, start_response)
        b"".join(result)
        close = getattr(result, "close", None)
        if close is not None:
            close()

    return call


def per_call_us(app: Callable[..., Any], environ: dict[str, Any], calls: int) -> float:
    """The app's median cost a call over five batches, in microseconds, unprofiled."""
    call = _caller(app, environ)
    call()  # the first fills lazy caches
    batches = []
    for _ in range(5):
        began = time.perf_counter()
        for _ in range(calls):
            call()
        batches.append((time.perf_counter() - began) / calls)
    return sorted(batches)[2] * 1e6


def profile_call(
    app: Callable[..., Any], environ: dict[str, Any], calls: int, what: str
) -> tuple[float, Profile]:
    """(unprofiled us a call, the profile's top functions by cumulative time) of one call."""
    us = per_call_us(app, environ, calls)
    call = _caller(app, environ)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    table: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    # The harness's own frames (this module's loop and closures) are not the app's.
    own = {k: v for k, v in table.items() if not k[0].endswith("bench/profiling.py")}
    own = {k: v for k, v in own.items() if k[2] != "<method 'disable' of '_lsprof.Profiler' objects>"}
    total = sum(v[2] for v in own.values()) or 1e-9  # every function's own time: the whole
    top = sorted(own.items(), key=lambda kv: kv[1][3], reverse=True)[:TOP]
    rows = [
        [
            f"`{_where(key)}`",
            f"{value[1] / calls:.1f}",
            f"{value[3] / calls * 1e6:.0f}",
            f"{value[2] / calls * 1e6:.0f}",
            f"{value[3] / total:.0%}",
        ]
        for key, value in top
    ]
    caption = (
        f"{what}: {us:.0f} us a call in process, unprofiled (median of 5 x {calls:,}); under "
        f"cProfile {total / calls * 1e6:.0f} us. Its top {TOP} functions by cumulative time, "
        f"per call (share: of the profiled call's whole time):"
    )
    return us, Profile(caption, rows)
