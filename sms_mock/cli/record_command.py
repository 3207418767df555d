"""`sms-mock record to-scenario FILE.har`: a recorded session as a scenario file.

The recording is HAR 1.2, from `sms-mock proxy --record` or another tool; the scenario is what
`sms-mock serve --fixtures DIR --scenario NAME`, `sms-mock scenario load NAME` and the pytest
plugin load (README, "Record, turn into a scenario, replay"). No server is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from sms_mock.cli.help import command
from sms_mock.recording.har import parse_har


def _default_name(har: str) -> str:
    """A scenario name from the recording's file name (`ticket 4711.har` -> `ticket-4711`)."""
    stem = "recorded" if har == "-" else Path(har).stem
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).lstrip("._-")[:64] or "recorded"


def _target(output: str | None, name: str | None, har: str) -> tuple[Path | None, str]:
    """Where to write and the scenario's name: a scenario's name is its file's, so `-o FILE`
    names it, and `-o DIR` writes DIR/NAME.json."""
    # Imported here, as `to_scenario` below: the emulator's modules (Flask and the app) would
    # cost every other command of the command line about 0.3 s at start.
    from sms_mock.mock_server.control.scenarios import NAME_RE

    path = None if output is None else Path(output)
    if path is not None and not path.is_dir():
        if name is not None and name != path.stem:
            raise ValueError(
                f"--name {name} and -o {output} disagree: a scenario's name is its file's name "
                f"({path.stem}); give -o a folder to write {name}.json into it"
            )
        chosen, given = path.stem, f"-o {output}"
    else:
        chosen, given = name or _default_name(har), "--name"
        path = None if path is None else path / f"{chosen}.json"
    # Checked before the recording is read: a name from the recording's file is always one.
    if not NAME_RE.fullmatch(chosen):
        raise ValueError(
            f"{given}: {chosen!r} is not a scenario name: 1 to 64 of A-Z, a-z, 0-9, '_', '.', "
            "'-', starting with a letter or a digit"
        )
    return path, chosen


def _write(path: Path, text: str) -> None:
    """All or nothing: a reader (or a server starting) never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_scenario_command(args: argparse.Namespace, out: TextIO) -> int:
    from sms_mock.recording.scenario import to_scenario

    path, name = _target(args.output, args.name, args.har)
    label = "standard input" if args.har == "-" else Path(args.har).name
    data = sys.stdin.buffer.read() if args.har == "-" else Path(args.har).read_bytes()
    try:
        scenario = to_scenario(parse_har(data), name, label, renew_ids=args.renew_ids)
    except ValueError as exc:  # HarError among them: what is wrong with the recording
        raise ValueError(f"{args.har}: {exc}") from exc
    text = json.dumps(scenario, indent=1, ensure_ascii=False) + "\n"
    if path is None:
        out.write(text)
        return 0
    _write(path, text)
    counts = {kind: len(scenario.get(f"{kind}s", [])) for kind in ("task", "source", "template")}
    summary = ", ".join(f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in counts.items())
    print(f"wrote {path}: scenario {name}, {summary}", file=out)
    return 0


def add_record_command(commands: Any) -> None:
    record = command(
        commands,
        "record",
        help="turn a recorded session (HAR) into a scenario",
        description="Recorded sessions: `to-scenario` turns one into a scenario file.",
        example=("sms-mock record to-scenario session.har > ticket-4711.json",),
    )
    verbs = record.add_subparsers(dest="record_command", required=True, metavar="VERB")
    scenario = command(
        verbs,
        "to-scenario",
        help="the tasks, sources and templates as last seen, as a scenario file",
        description=(
            "Read a HAR 1.2 recording (sms-mock proxy --record, or a browser's) and write the "
            "tasks, sources and templates it shows, each as last seen, as a scenario file; "
            "its notes say what the recording cannot tell."
        ),
        example=(
            "sms-mock record to-scenario session.har -o qa/scenarios --name ticket-4711",
            "sms-mock serve --fixtures qa --scenario ticket-4711",
        ),
    )
    scenario.add_argument("har", metavar="FILE.har", help="the recording (- for standard input)")
    scenario.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="the scenario file (its name is the scenario's), or a folder to write NAME.json "
        "into; standard output without it",
    )
    scenario.add_argument("--name", help="the scenario's name (default: the recording's file name)")
    scenario.add_argument(
        "--renew-ids",
        action="store_true",
        help="each load makes fresh ids (default: load under the recorded ids)",
    )
    scenario.set_defaults(run=to_scenario_command)
