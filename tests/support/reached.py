"""The outcomes of each operation's examples in tests/contract/test_operations.py, by operation
id, and the line the run ends with. Under pytest-xdist each worker sends its tally to the
controller (tests/contract/conftest.py, tests/conftest.py), which prints the merged one."""

from __future__ import annotations

from collections import Counter

REACHED: dict[str, Counter[str]] = {}
WORKER_OUTPUT_KEY = "operations_reached"


def merge(tallies: dict[str, dict[str, int]]) -> None:
    """Add a worker's tallies to this process's."""
    for op, seen in tallies.items():
        REACHED.setdefault(op, Counter()).update(seen)


def summary_lines() -> list[str]:
    """`operations reached with their success path: N of M`, then each operation that met
    anything but success, with its counts."""
    if not REACHED:
        return []
    succeeded = [op for op, seen in REACHED.items() if seen["success"]]
    lines = [f"operations reached with their success path: {len(succeeded)} of {len(REACHED)}"]
    for op, seen in sorted(REACHED.items()):
        other = ", ".join(f"{k} x{v}" for k, v in sorted(seen.items()) if k != "success")
        if other or not seen["success"]:
            lines.append(f"  {op}: success x{seen['success']}; {other}")
    return lines
