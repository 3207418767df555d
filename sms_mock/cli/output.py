"""What the command line reads and prints: JSON files, JSON as answered, plain tables, and the
progress bar."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

BAR_WIDTH = 30


def read_json(path: str) -> Any:
    """A JSON file the command was given, or standard input for `-`."""
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{path}: not JSON ({exc})") from exc


def print_json(value: Any, out: TextIO) -> None:
    """An answer as the API or the control plane wrote it (indented, keys in their order)."""
    print(json.dumps(value, indent=2, ensure_ascii=False), file=out)


def emit(json_wanted: bool, answer: Any, line: str, out: TextIO) -> None:
    """The answer as JSON with `--json`, else the command's one plain line."""
    if json_wanted:
        print_json(answer, out)
    else:
        print(line, file=out)


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """Columns padded to their widest cell; the last column is not padded."""
    cells = [[str(c) for c in header], *[["-" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header) - 1)]
    for row in cells:
        padded = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*padded, row[-1]]).rstrip(), file=out)


@dataclass(frozen=True)
class ClockRate:
    """How the server's clock runs against wall time: `manual` (moves only when told), else
    `speed` clock seconds a wall second. Unknown (a server without a control plane): None."""

    manual: bool = False
    speed: float = 1.0


def duration(seconds: float) -> str:
    """`4m05s`, `2h03m`, `42s`."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def eta(seconds: Any, rate: ClockRate | None = None) -> str:
    """`remain_seconds` as wall time left: `ETA 4m05s` (clock seconds over the clock's speed);
    on a manual clock, which moves only when told, no ETA: `manual clock: 4m05s left` of
    clock time. Empty when the service gave none."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        return ""
    if rate is not None and rate.manual:
        return f"manual clock: {duration(seconds)} left"
    speed = rate.speed if rate is not None and rate.speed > 0 else 1.0
    return f"ETA {duration(seconds / speed)}"


def progress_percent(task: Any) -> int:
    """The current sub-task's progress; with none, 100 once a run went through (every sub-task
    ended) and 0 before any began (READY): as the dashboard draws it."""
    current = task.current_subtask
    if current is not None:
        return int(current.progress or 0)
    return 100 if task.sub_tasks else 0


def progress_line(task: Any, rate: ClockRate | None = None) -> str:
    """`[#########.....]  30% MIGRATE_LINUX_FILE RUNNING ETA 4m05s` for a task (client model)."""
    current = task.current_subtask
    percent = progress_percent(task)
    name = current.name if current else "-"
    filled = max(0, min(BAR_WIDTH, percent * BAR_WIDTH // 100))
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    moving = task.state in ("RUNNING", "SYNCING")
    tail = f" {eta(getattr(task, 'remain_seconds', None), rate)}" if moving else ""
    return f"[{bar}] {percent:3d}% {name} {task.state}{tail}".rstrip()


def progress_printer(stream: TextIO, rate: ClockRate | None = None) -> Callable[[Any], None]:
    """A one-line progress bar on a terminal; a line per change elsewhere (logs, CI)."""
    last: list[str] = []

    def show(task: Any) -> None:
        line = progress_line(task, rate)
        if stream.isatty():
            stream.write("\r" + line.ljust(80))
            stream.flush()
        elif not last or last[-1] != line:
            stream.write(line + "\n")
            stream.flush()
        last[:] = [line]

    return show
