"""The control plane from the command line: `clock`, `scenario`, `fault`, `reset`, `snapshot`,
`journal` (README, "For QA: reproduce what a customer saw"). They talk to the emulator only."""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sms_mock.cli.help import command
from sms_mock.cli.options import client_parent, control_plane
from sms_mock.cli.output import emit, print_json, print_table, read_json
from sms_mock.contracts.enums import FaultEffect, SubtaskName, values

FOLLOW_INTERVAL_S = 1.0


def _clock_line(clock: dict[str, Any]) -> str:
    speed = f" x{clock['speed']:g}" if clock.get("mode") == "real" else ""
    return f"{clock['now']} ({clock['now_ms']} ms) {clock['mode']}{speed}"


def clock_show(args: argparse.Namespace, out: TextIO) -> int:
    with control_plane(args) as control:
        clock = control.clock()
    emit(args.json, clock, _clock_line(clock), out)
    return 0


def clock_advance(args: argparse.Namespace, out: TextIO) -> int:
    if args.seconds < 0:
        raise ValueError("the clock only moves forward: give seconds of 0 or more")
    with control_plane(args) as control:
        clock = control.advance(args.seconds)
    emit(args.json, clock, _clock_line(clock), out)
    return 0


def clock_speed(args: argparse.Namespace, out: TextIO) -> int:
    with control_plane(args) as control:
        clock = control.set_speed(args.factor)
    emit(args.json, clock, _clock_line(clock), out)
    return 0


def _epoch_ms(when: str) -> int:
    """An ISO-8601 time (UTC unless it says) or epoch milliseconds."""
    if when.isdigit():
        return int(when)
    try:
        moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{when!r} is neither ISO-8601 nor epoch milliseconds") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def clock_set(args: argparse.Namespace, out: TextIO) -> int:
    target = _epoch_ms(args.when)
    with control_plane(args) as control:
        now = control.clock()["now_ms"]
        if target < now:
            raise ValueError(f"the clock only moves forward: {args.when} is before now")
        clock = control.advance((target - now) / 1000)
    emit(args.json, clock, _clock_line(clock), out)
    return 0


def scenario_list(args: argparse.Namespace, out: TextIO) -> int:
    with control_plane(args) as control:
        answer = control.scenarios()
    if args.json:
        print_json(answer, out)
        return 0
    rows = [(s["name"], s["tasks"], s["description"]) for s in answer["scenarios"]]
    print_table(("NAME", "TASKS", "DESCRIPTION"), rows, out)
    return 0


def scenario_load(args: argparse.Namespace, out: TextIO) -> int:
    """A line a thing made, its id second (`task ID NAME`): tasks, sources, templates, then
    the scenario's faults as `fault list` describes them."""
    with control_plane(args) as control:
        loaded = control.load_scenario(args.name, project=args.into)
        faults = control.faults()["faults"] if loaded["fault_ids"] and not args.json else []
    if args.json:
        print_json(loaded, out)
        return 0
    for kind in ("task", "source", "template"):
        for item in loaded.get(f"{kind}s", []):
            print(f"{kind} {item['id']} {item['name']}", file=out)
    for fault in faults:
        if fault["id"] in loaded["fault_ids"]:
            print(f"fault {fault['id']} {_fault_what(fault)}", file=out)
    return 0


def _json_value(text: str | None) -> Any:
    """A JSON value given on the command line; a bare word is a string."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def fault_add(args: argparse.Namespace, out: TextIO) -> int:
    if (args.task is None) == (args.path is None):
        raise ValueError("give --task (a task fault) or --path (an HTTP fault), not both")
    spec: dict[str, Any]
    if args.task is not None:
        if args.subtask is None:
            raise ValueError("a task fault needs --subtask")
        spec = {"task_id": args.task, "subtask": args.subtask, "effect": args.effect}
        optional = {"at_progress": args.at_progress, "times": args.times,
                    "phase": args.phase, "occurrence": args.occurrence,
                    "error_json": _json_value(args.error_json)}  # fmt: skip
    else:
        match = {"path": args.path, "method": args.method}
        spec = {"match": {k: v for k, v in match.items() if v is not None}}
        optional = {"status": args.status, "body": _json_value(args.body),
                    "delay_ms": args.delay_ms, "times": args.times,
                    "probability": args.probability, "drop": args.drop or None}  # fmt: skip
    spec.update({k: v for k, v in optional.items() if v is not None})
    with control_plane(args) as control:
        fault = control.add_fault(spec, project=args.into if args.task else None)
    emit(args.json, fault, f"{fault['id']} {_fault_what(fault)}", out)
    return 0


def _fault_what(fault: dict[str, Any]) -> str:
    """`web-01 (ID) SSL_CONFIG at 50% fail` for a task fault, `GET /v3/* -> 503` for HTTP."""
    if fault["kind"] == "task":
        name = fault.get("task_name")
        task = f"{name} ({fault['task_id']})" if name else fault["task_id"]
        return f"{task} {fault['subtask']} at {fault['at_progress']}% {fault['effect']}"
    match = fault["match"]
    answer = "drop" if fault.get("drop") else fault.get("status") or f"+{fault['delay_ms']}ms"
    return f"{match.get('method', '*')} {match.get('path', '*')} -> {answer}"


def fault_list(args: argparse.Namespace, out: TextIO) -> int:
    with control_plane(args) as control:
        answer = control.faults()
    if args.json:
        print_json(answer, out)
        return 0
    rows = [(f["id"], f["kind"], f["remaining"], f["fired"], _fault_what(f))
            for f in answer["faults"]]  # fmt: skip
    print_table(("ID", "KIND", "LEFT", "FIRED", "WHAT"), rows, out)
    return 0


def fault_clear(args: argparse.Namespace, out: TextIO) -> int:
    with control_plane(args) as control:
        answer = control.delete_fault(args.fault_id) if args.fault_id else control.clear_faults()
    emit(args.json, answer, "faults cleared", out)
    return 0


def reset(args: argparse.Namespace, out: TextIO) -> int:
    with control_plane(args) as control:
        answer = control.reset()
    emit(args.json, answer, f"reset: {_clock_line(answer)}", out)
    return 0


def snapshot_save(args: argparse.Namespace, out: TextIO) -> int:
    with control_plane(args) as control:
        snapshot = control.snapshot()
    text = json.dumps(snapshot, indent=1) + "\n"
    if args.file == "-":
        out.write(text)
    else:
        Path(args.file).write_text(text, encoding="utf-8")
        tasks = len(snapshot["sms"]["tasks"])
        print(f"saved {args.file}: {tasks} tasks", file=out)
    return 0


def snapshot_restore(args: argparse.Namespace, out: TextIO) -> int:
    snapshot = read_json(args.file)
    with control_plane(args) as control:
        answer = control.restore(snapshot)
    emit(args.json, answer, f"restored: {_clock_line(answer)}", out)
    return 0


def journal_line(entry: dict[str, Any]) -> str:
    """`METHOD PATH STATUS MS [faults]`, as `serve --log-requests` prints a request."""
    query = f"?{entry['query']}" if entry.get("query") else ""
    status = entry["status"] if entry["status"] is not None else "dropped"
    faults = f" [{' '.join(entry['faults'])}]" if entry.get("faults") else ""
    return f"{entry['method']} {entry['path']}{query} {status} {entry['duration_ms']:.1f}ms{faults}"


def journal(args: argparse.Namespace, out: TextIO) -> int:
    """A line a request; with `--json` the control plane's answer (the newest `--limit`
    requests of it), or while following, each new request as a JSON object on a line."""
    filters = {"method": args.method, "path": args.path, "status": args.status}
    seen = 0
    with control_plane(args) as control:
        if args.json and not args.follow:
            answer = control.journal(**filters)
            if args.limit:
                answer["requests"] = answer["requests"][-args.limit :]
            print_json(answer, out)
            return 0
        while True:
            entries = [e for e in control.journal(**filters)["requests"] if e["id"] > seen]
            if args.limit and not seen:
                entries = entries[-args.limit :]
            for entry in entries:
                out.write((json.dumps(entry) if args.json else journal_line(entry)) + "\n")
            out.flush()
            if entries:
                seen = entries[-1]["id"]
            if not args.follow:
                return 0
            time.sleep(FOLLOW_INTERVAL_S)


def add_control_commands(commands: Any) -> None:
    parent = client_parent()

    clock = command(
        commands,
        "clock",
        parents=[parent],
        help="show or move the clock",
        description="The emulator's clock: show it, move it forward, or set a real clock's speed.",
        example=["sms-mock clock", "sms-mock clock advance 600", "sms-mock clock speed 10"],
    )
    clock.set_defaults(run=clock_show)
    clock_verbs = clock.add_subparsers(dest="clock_command", metavar="VERB")
    command(
        clock_verbs,
        "show",
        parents=[parent],
        help="now (the default)",
        description="The clock's now (ISO-8601 and epoch ms), its mode and a real one's speed.",
        example=["sms-mock clock show --json"],
    ).set_defaults(run=clock_show)
    advance = command(
        clock_verbs,
        "advance",
        parents=[parent],
        help="move forward",
        description="Move the clock forward: running tasks go on by as much, at once.",
        example=["sms-mock clock advance 600"],
    )
    advance.add_argument("seconds", type=float, help="seconds, 0 or more")
    advance.set_defaults(run=clock_advance)
    setting = command(
        clock_verbs,
        "set",
        parents=[parent],
        help="move forward to a time",
        description="Move the clock forward to a time (never back).",
        example=["sms-mock clock set 2099-12-24T18:00:00Z"],  # a time that stays ahead
    )
    setting.add_argument("when", metavar="TIME", help="ISO-8601 (UTC unless it says) or epoch ms")
    setting.set_defaults(run=clock_set)
    speed = command(
        clock_verbs,
        "speed",
        parents=[parent],
        help="a real clock's speed",
        description="How fast a real clock runs from now on, times wall time (a manual clock "
        "has no speed).",
        example=["sms-mock clock speed 10"],
    )
    speed.add_argument("factor", metavar="FACTOR", type=float, help="times wall time, from now")
    speed.set_defaults(run=clock_speed)

    scenario = command(
        commands,
        "scenario",
        parents=[parent],
        help="list or load named scenarios",
        description="Named scenarios: tasks in exact states, faults waiting to fire, a clock.",
        example=["sms-mock scenario list", "sms-mock scenario load failed-at-migrate-40"],
    )
    scenario_verbs = scenario.add_subparsers(dest="scenario_command", required=True, metavar="VERB")
    command(
        scenario_verbs,
        "list",
        parents=[parent],
        help="every scenario",
        description="Every scenario the emulator can load, with what it holds.",
        example=["sms-mock scenario list"],
    ).set_defaults(run=scenario_list)
    load = command(
        scenario_verbs,
        "load",
        parents=[parent],
        help="load one; print what it made",
        description="Load a scenario; print a line a thing it made, its id second: `task ID "
        "NAME`, `source ID NAME`, `fault ID ...`. A name the project already has gets a "
        "suffix (`app-01_2`), so that a second load is told apart.",
        example=[
            "sms-mock scenario load failed-at-migrate-40",
            "sms-mock scenario load ready --into ap-southeast-3",
        ],
    )
    load.add_argument("name", help="the scenario (sms-mock scenario list)")
    load.add_argument("--into", metavar="PROJECT", help="a project (default: the scenario's)")
    load.set_defaults(run=scenario_load)

    fault = command(
        commands,
        "fault",
        parents=[parent],
        help="add, list or clear task and HTTP faults",
        description="Faults: a task that fails or pauses at a sub-task's progress, or an HTTP "
        "answer faked, delayed or dropped.",
        example=["sms-mock fault list", "sms-mock fault clear"],
    )
    fault_verbs = fault.add_subparsers(dest="fault_command", required=True, metavar="VERB")
    add = command(
        fault_verbs,
        "add",
        parents=[parent],
        help="--task ID --subtask NAME: a task fault; --path: HTTP",
        description="Add a task fault (--task, --subtask) or an HTTP fault (--path); print its "
        "id and what it does, naming the task by name and id.",
        example=[
            "sms-mock fault add --task sample-ready --subtask SSL_CONFIG --at-progress 50",
            "sms-mock fault add --path '/v3/tasks/*' --status 503 --times 2",
        ],
    )
    add.add_argument("--task", metavar="ID", help="a task fault for this task")
    add.add_argument("--subtask", choices=values(SubtaskName), help="the sub-task it fires in")
    add.add_argument("--at-progress", type=int, metavar="PERCENT", help="where in it (default 0)")
    add.add_argument(
        "--effect", choices=values(FaultEffect), default=FaultEffect.FAIL.value,
        help="fail the task, or pause it (ABORT)",
    )  # fmt: skip
    add.add_argument("--error-json", metavar="JSON", help="the task's error_json (JSON or text)")
    add.add_argument("--phase", help="REPLICATE, CUTOVER, RESYNC, CLONE or one by name")
    add.add_argument("--occurrence", type=int, metavar="N", help="the n-th run of the sub-task")
    add.add_argument("--into", metavar="PROJECT", help="the task's project (default: default)")
    add.add_argument("--path", metavar="GLOB", help="an HTTP fault for these paths")
    add.add_argument("--method", help="only this method (default: any)")
    add.add_argument("--status", type=int, help="the faked answer's status")
    add.add_argument("--body", metavar="JSON", help="the faked answer's body (JSON or text)")
    add.add_argument("--delay-ms", type=int, help="answer this much later (default 0)")
    add.add_argument("--drop", action="store_true", help="drop the connection instead")
    add.add_argument("--probability", type=float, help="the chance it fires (default 1)")
    add.add_argument("--times", type=int, help="how many times it fires (default 1)")
    add.set_defaults(run=fault_add)
    command(
        fault_verbs,
        "list",
        parents=[parent],
        help="every fault",
        description="Every fault, a line each: id, kind, times left, times fired, what it does.",
        example=["sms-mock fault list"],
    ).set_defaults(run=fault_list)
    clear = command(
        fault_verbs,
        "clear",
        parents=[parent],
        help="forget all faults, or one",
        description="Forget every fault, or the one whose id is given.",
        example=["sms-mock fault clear", "sms-mock fault clear FAULT_ID"],
    )
    clear.add_argument("fault_id", nargs="?", metavar="ID", help="only this fault")
    clear.set_defaults(run=fault_clear)

    command(
        commands,
        "reset",
        parents=[parent],
        help="back to the fixtures, the clock to now",
        description="Back to the state of the start: the fixtures, start-up scenarios, no "
        "faults, the clock at now.",
        example=["sms-mock reset"],
    ).set_defaults(run=reset)

    snapshot = command(
        commands,
        "snapshot",
        parents=[parent],
        help="save or restore the whole state",
        description="The whole state (tasks, sources, faults, the clock) to a JSON file and back.",
        example=["sms-mock snapshot save case.json", "sms-mock snapshot restore case.json"],
    )
    snapshot_verbs = snapshot.add_subparsers(dest="snapshot_command", required=True, metavar="VERB")
    save = command(
        snapshot_verbs,
        "save",
        parents=[parent],
        help="to a file (- for stdout)",
        description="Save the whole state to a JSON file.",
        example=["sms-mock snapshot save case.json", "sms-mock snapshot save - | jq .clock"],
    )
    save.add_argument("file", metavar="FILE", help="the file, or - for standard output")
    save.set_defaults(run=snapshot_save)
    restore = command(
        snapshot_verbs,
        "restore",
        parents=[parent],
        help="from a file (or -)",
        description="Make a saved state the whole state again.",
        example=["sms-mock snapshot restore case.json"],
    )
    restore.add_argument("file", metavar="FILE", help="the file, or - for standard input")
    restore.set_defaults(run=snapshot_restore)

    journal_parser = command(
        commands,
        "journal",
        parents=[parent],
        help="the requests the emulator answered, oldest first",
        description="The requests the emulator answered, a line each: METHOD PATH STATUS MS "
        "[faults].",
        example=["sms-mock journal --limit 4", "sms-mock journal --path '/v3/tasks/*' --follow"],
    )
    journal_parser.add_argument("--method", help="only this method")
    journal_parser.add_argument("--path", metavar="GLOB", help="only paths that match")
    journal_parser.add_argument("--status", type=int, help="only answers of this status")
    journal_parser.add_argument("--limit", type=int, metavar="N", help="only the last N")
    journal_parser.add_argument(
        "--follow", "-f", action="store_true", help="keep printing new requests (Ctrl-C stops)"
    )
    journal_parser.set_defaults(run=journal)
