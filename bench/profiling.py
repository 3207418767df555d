"""Where a call's time goes: one WSGI app called in process, timed, then under cProfile.

What a missed target's note shows: the app's cost a call with no server and no network, and
the top functions of its profile by cumulative time, per call. cProfile slows every function
call down, so its microseconds are larger than the unprofiled ones; the shares are what count.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import ROOT

TOP = 15
PROFILE_HEAD = ["function (by cumulative time)", "calls a call", "cumulative us", "own us", "share"]
_PREFIXES = sorted(
    {
        str(ROOT) + "/",
        sysconfig.get_paths()["purelib"] + "/",
        sysconfig.get_paths()["stdlib"] + "/",
    },
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


def short_path(filename: str) -> str:
    """A source file's path from the project's root or site-packages, else its name."""
    for prefix in _PREFIXES:
        if filename.startswith(prefix):
            return filename[len(prefix) :]
    return Path(filename).name


def _where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":  # a built-in
        return name
    return f"{short_path(filename)}:{line}({name})"


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


def _caller(app: Callable[..., Any], environ: dict[str, Any], expect: int) -> Callable[[], None]:
    """One call of the app, its body read from a fresh stream; an answer other than `expect`
    raises, so that no profile is ever of an error's path."""
    body = environ.get("wsgi.input")
    raw = body.read() if body is not None else b""
    environ["wsgi.input"] = io.BytesIO(raw)  # left readable for the next caller
    statuses: list[str] = []

    def start_response(status: str, headers: list[Any], *args: Any) -> None:
        statuses.append(status)

    def call() -> None:
        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(raw)
        result = app(env, start_response)
        b"".join(result)
        close = getattr(result, "close", None)
        if close is not None:
            close()
        status = statuses.pop()
        if int(status.split(" ", 1)[0]) != expect:
            raise RuntimeError(f"{env['REQUEST_METHOD']} {env['PATH_INFO']}: {status}")

    return call


def per_call_us(
    app: Callable[..., Any], environ: dict[str, Any], calls: int, expect: int = 200
) -> float:
    """The app's cost a call, the best of five batches (the least disturbed by the rest of
    this shared machine), in microseconds, unprofiled."""
    call = _caller(app, environ, expect)
    call()  # the first fills lazy caches
    batches = []
    for _ in range(5):
        began = time.perf_counter()
        for _ in range(calls):
            call()
        batches.append((time.perf_counter() - began) / calls)
    return min(batches) * 1e6


def profile_call(
    app: Callable[..., Any], environ: dict[str, Any], calls: int, what: str, expect: int = 200
) -> tuple[float, Profile]:
    """(unprofiled us a call, the profile's top functions by cumulative time) of one call."""
    us = per_call_us(app, environ, calls, expect)
    call = _caller(app, environ, expect)
    rows, profiled_us = profile_rows(call, calls)
    caption = (
        f"{what}: {us:.0f} us a call in process, unprofiled (best of 5 x {calls:,}); under "
        f"cProfile {profiled_us:.0f} us. Its top {TOP} functions by cumulative time, per call "
        f"(share: of the profiled call's whole time):"
    )
    return us, Profile(caption, rows)


def profile_rows(
    call: Callable[[], object], calls: int, unit: str = "us"
) -> tuple[list[list[str]], float]:
    """`call` run `calls` times under cProfile: the table's rows (times in `unit`, us or ms,
    a call), and us a call profiled."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call()
    profiler.disable()
    code = getattr(call, "__code__", None)
    skip = (code.co_filename, code.co_firstlineno) if code is not None else None
    return rows_of(profiler, calls, unit, skip)


def rows_of(
    profiler: cProfile.Profile,
    calls: int,
    unit: str = "us",
    skip: tuple[str, int] | None = None,
) -> tuple[list[list[str]], float]:
    """A finished profiler's top rows, per call (of `calls`), and us a call profiled; `skip`
    (file, first line) is the profiled function itself, which is the bench's, not the app's."""
    scale, digits = (1e6, 0) if unit == "us" else (1e3, 2)
    stats = pstats.Stats(profiler)
    table: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    # The harness's own frames (this module's loop and closures, the caller's loop body) and
    # the profiler's are not the code measured.
    own = {
        k: v
        for k, v in table.items()
        if not k[0].endswith("bench/profiling.py")
        and "_lsprof.Profiler" not in k[2]
        and k[:2] != skip
    }
    total = sum(v[2] for v in own.values()) or 1e-9  # every function's own time: the whole
    top = sorted(own.items(), key=lambda kv: kv[1][3], reverse=True)[:TOP]
    rows = [
        [
            f"`{_where(key)}`",
            f"{value[1] / calls:.1f}",
            f"{value[3] / calls * scale:.{digits}f}",
            f"{value[2] / calls * scale:.{digits}f}",
            f"{value[3] / total:.0%}",
        ]
        for key, value in top
    ]
    return rows, total / calls * 1e6


def profile_function(call: Callable[[], object], calls: int, what: str) -> Profile:
    """A profile of any in-process step (a start, a lifecycle), per run."""
    rows, profiled_us = profile_rows(call, calls, "ms")
    return run_profile(rows, profiled_us, calls, what)


def run_profile(rows: list[list[str]], profiled_us: float, calls: int, what: str) -> Profile:
    """The table of `rows_of(..., unit="ms")`, captioned."""
    caption = (
        f"{what}, under cProfile ({calls} runs, {profiled_us / 1000:.2f} ms a run profiled): "
        f"its top {TOP} functions by cumulative time, per run:"
    )
    return Profile(
        caption,
        rows,
        ["function (by cumulative time)", "calls a run", "cumulative ms", "own ms", "share"],
    )
