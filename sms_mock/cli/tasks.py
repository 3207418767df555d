"""`sms-mock task ...` and `sms-mock source ...`: SMS calls through the reference client, against
the emulator or any server that speaks the API."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from sms_mock.cli.help import command
from sms_mock.cli.options import client_parent, clock_rate, sms_client
from sms_mock.cli.output import (
    emit,
    print_json,
    print_table,
    progress_line,
    progress_printer,
    read_json,
)
from sms_mock.contracts.enums import TaskState, values

# The verbs that act on one task (`task VERB ID`), and the operation each sends.
OPERATIONS = {
    "start": "start",
    "stop": "stop",
    "restart": "restart",
    "cutover": "cutover",
    "test": "test",
    "clone-test": "clone_test",
    "rollback": "sync_failed_rollback",
}
# What `--wait` waits for after each verb: a phase runs to success, a stop to ABORT, a rollback
# to its end. A fail state ends the wait with exit 4, another state it rests in with exit 7
# (the client's TaskSettledElsewhere, from its own fail and settled states).
PHASE_DONE = ("MIGRATE_SUCCESS", "SYNC_SUCCESS")
MOVING = ("RUNNING", "SYNCING")  # the states whose bar carries an ETA
WAITS_FOR = {"stop": ("ABORT",), "rollback": ("SYNC_F_ROLLBACK_SUCCESS",)}
# What `task wait` waits for without --state: the end of what the task is doing.
SETTLES_IN = {"ABORTING": ("ABORT",), "SYNC_F_ROLLBACKING": ("SYNC_F_ROLLBACK_SUCCESS",)}
# A phase's kind (its name without the number), in plain words.
PHASE_WORDS = {"REPLICATE": "replication", "RESYNC": "sync", "CUTOVER": "cutover",
               "CLONE": "clone test"}  # fmt: skip


def _to_dict(model: Any) -> Any:
    from sms_mock.client.models import to_dict

    return to_dict(model)


def task_list(args: argparse.Namespace, out: TextIO) -> int:
    tasks = list(sms_client(args).list_tasks(state=args.state, name=args.name))
    if args.json:
        print_json([_to_dict(task) for task in tasks], out)
        return 0
    rows = []
    for task in tasks:
        current = task.current_subtask
        where = f"{current.name} {current.progress}%" if current else "-"
        rows.append((task.id, task.name, task.state, where))
    print_table(("ID", "NAME", "STATE", "SUB-TASK"), rows, out)
    return 0


def task_show(args: argparse.Namespace, out: TextIO) -> int:
    client = sms_client(args)
    task = client.get_task(args.task_id)
    if args.json:
        print_json(_to_dict(task), out)
    else:
        # The clock's rate only where an ETA is drawn: one request less in the journal.
        rate = clock_rate(args) if task.state in MOVING else None
        print(f"{task.id}  {task.name}  {task.state}", file=out)
        print(progress_line(task, rate), file=out)
        if task.error_json:
            print(f"error_json: {task.error_json}", file=out)
    return 0


def task_create(args: argparse.Namespace, out: TextIO) -> int:
    # The client refuses a body its contract refuses, naming every field the server would.
    task_id = sms_client(args).create_task(read_json(args.body))
    emit(args.json, {"id": task_id}, task_id, out)
    return 0


def task_delete(args: argparse.Namespace, out: TextIO) -> int:
    sms_client(args).delete_task(args.task_id)
    emit(args.json, {}, f"deleted: {args.task_id}", out)
    return 0


def phase_of(task: Any) -> str:
    """`sync, phase RESYNC1`: the phase the task runs (or last ran), from its sub-tasks'
    `user_op`; empty when it has none (READY, or a service that does not say)."""
    current = task.current_subtask
    entries = [s for s in task.sub_tasks or [] if s.start_date is not None]
    entry = current if current is not None else (entries[-1] if entries else None)
    phase = getattr(entry, "user_op", None) if entry is not None else None
    if not phase:
        return ""
    word = PHASE_WORDS.get(phase.rstrip("0123456789"))
    return f"{word}, phase {phase}" if word else f"phase {phase}"


def state_line(task: Any) -> str:
    """`task ID: SYNCING (sync, phase RESYNC1)`: where a task stands after an operation."""
    phase = phase_of(task)
    return f"task {task.id}: {task.state}" + (f" ({phase})" if phase else "")


def follow(
    client: Any, args: argparse.Namespace, wanted: tuple[str, ...] | None, out: TextIO
) -> int:
    """Poll the task with a progress bar on standard error until it is in `wanted` (None: the
    end of what it is doing now); print where it stopped. The client's errors (a fail state,
    another state it rests in, the timeout) become the documented exit codes in `app.py`."""
    if wanted is None:
        state = client.get_task(args.task_id).state
        wanted = SETTLES_IN.get(state, PHASE_DONE)
    progress = progress_printer(sys.stderr, clock_rate(args))
    try:
        task = client.wait_for_state(
            args.task_id, wanted, timeout=args.timeout, interval=args.interval, on_poll=progress
        )
    finally:
        if sys.stderr.isatty():
            sys.stderr.write("\n")
    emit(args.json, _to_dict(task), f"{task.id}: {task.state}", out)
    return 0


def task_operation(args: argparse.Namespace, out: TextIO) -> int:
    client = sms_client(args)
    fields: dict[str, Any] = {}
    if getattr(args, "template_id", None):
        fields["template_id"] = args.template_id
    client.task_action(args.task_id, args.operation, **fields)
    if args.wait:
        return follow(client, args, WAITS_FOR.get(args.verb, PHASE_DONE), out)
    if args.json:
        print_json({}, out)  # the API's answer to an operation
    else:
        # What the operation did: a start of a finished task is a sync, say, not a replication.
        print(state_line(client.get_task(args.task_id)), file=out)
    return 0


def task_wait(args: argparse.Namespace, out: TextIO) -> int:
    return follow(sms_client(args), args, tuple(args.state) if args.state else None, out)


def source_list(args: argparse.Namespace, out: TextIO) -> int:
    sources = list(sms_client(args).list_sources(state=args.state))
    if args.json:
        print_json([_to_dict(source) for source in sources], out)
        return 0
    rows = [(s.id, s.name, s.ip, s.state, s.current_task.id if s.current_task else None)
            for s in sources]  # fmt: skip
    print_table(("ID", "NAME", "IP", "STATE", "TASK"), rows, out)
    return 0


def _size(value: Any) -> str:
    """Bytes as `40.0 GiB`; `?` for none."""
    if not isinstance(value, int | float):
        return "?"
    if abs(value) < 1024:
        return f"{int(value)} B"
    for unit in ("KiB", "MiB"):
        value /= 1024
        if abs(value) < 1024:
            return f"{value:.1f} {unit}"
    return f"{value / 1024:.1f} GiB"


def source_lines(source: Any) -> list[str]:
    """A source server in a few lines: who it is, where it stands, its task, disks, networks."""
    known = [v for v in (source.os_type, source.os_version, source.firmware) if v]
    cycle = f" (migration cycle {source.migration_cycle})" if source.migration_cycle else ""
    agent = "connected" if source.connected else "not connected"
    task = source.current_task
    disks = [f"{d.name} {_size(d.size)} ({_size(d.used_size)} used)" for d in source.disks or []]
    networks = [f"{n.name} {n.ip or n.ipv6 or '-'}" for n in source.networks or []]
    return [
        f"{source.id}  {source.name or '-'}  {source.ip or '-'}",
        f"state: {source.state or '-'}{cycle}; agent {source.agent_version or '-'}, {agent}",
        f"system: {' '.join(known) or '-'}; {source.cpu_quantity or '?'} CPUs, "
        f"{source.memory or '?'} MiB",
        f"task: {f'{task.id} ({task.name}) {task.state}' if task else '-'}",
        f"disks: {', '.join(disks) or '-'}; {_size(source.totalsize)} to migrate",
        f"networks: {', '.join(networks) or '-'}",
    ]


def source_show(args: argparse.Namespace, out: TextIO) -> int:
    source = sms_client(args).get_source(args.source_id)
    if args.json:
        print_json(_to_dict(source), out)
    else:
        print("\n".join(source_lines(source)), file=out)
    return 0


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout", type=float, default=3600.0, help="seconds to wait (default 3600)"
    )
    parser.add_argument(
        "--interval", type=float, default=2.0, help="seconds between polls (default 2)"
    )


# A verb's description line and example, for its --help.
VERB_TEXTS = {
    "start": "Start a task: READY runs its replication, a paused or failed one resumes, a "
    "finished one (MIGRATE_SUCCESS, SYNC_SUCCESS) starts a sync. Prints the state and phase it "
    "is in then.",
    "stop": "Stop (pause) a running task: it goes to ABORT.",
    "restart": "Run a failed or paused task's interrupted phase again from its first sub-task. "
    "Prints the state and phase it is in then.",
    "cutover": "Cut a replicated task over to its target server (a CUTOVER phase).",
    "test": "Launch the target server for a test (operation test).",
    "clone-test": "Clone the target server from a template for a test (a CLONE phase).",
    "rollback": "Roll back a failed sync (operation sync_failed_rollback).",
}


def add_task_commands(commands: Any) -> None:
    parent = client_parent()
    task = command(
        commands,
        "task",
        parents=[parent],
        help="list, show, create, delete, act on and wait for tasks",
        description="Migration tasks, through the SMS API of the emulator or any SMS endpoint.",
        example=["sms-mock task list --state RUNNING", "sms-mock task start sample-ready --wait"],
    )
    verbs = task.add_subparsers(dest="task_command", required=True, metavar="VERB")

    listing = command(
        verbs,
        "list",
        parents=[parent],
        help="every task of the project",
        description="Every task of the project, a line each: id, name, state, sub-task.",
        example=["sms-mock task list", "sms-mock task list --state MIGRATE_FAIL --json"],
    )
    listing.add_argument("--state", choices=values(TaskState), help="only tasks in this state")
    listing.add_argument("--name", help="only tasks of this name")
    listing.set_defaults(run=task_list)

    show = command(
        verbs,
        "show",
        parents=[parent],
        help="one task and where it stands",
        description="One task: its state, a progress bar of its current sub-task with an ETA, "
        "its error_json (the whole task with --json).",
        example=["sms-mock task show sample-abort"],
    )
    show.add_argument("task_id", metavar="ID")
    show.set_defaults(run=task_show)

    create = command(
        verbs,
        "create",
        parents=[parent],
        help="create a task from a PostTask body (README examples)",
        description="Create a task from a PostTask JSON body; prints its id. A body its contract "
        "refuses is not sent, and every wrong field is named (exit 3).",
        example=["sms-mock task create web-01.json", "cat web-01.json | sms-mock task create -"],
    )
    create.add_argument("body", metavar="FILE", help="the JSON body, or - for standard input")
    create.set_defaults(run=task_create)

    delete = command(
        verbs,
        "delete",
        parents=[parent],
        help="delete a task",
        description="Delete a task (not a RUNNING or SYNCING one).",
        example=["sms-mock task delete sample-ready"],
    )
    delete.add_argument("task_id", metavar="ID")
    delete.set_defaults(run=task_delete)

    for verb, operation in OPERATIONS.items():
        extra = " --template-id TPL" if verb == "clone-test" else ""
        acting = command(
            verbs,
            verb,
            parents=[parent],
            help=f"send operation {operation}",
            description=VERB_TEXTS[verb],
            example=[
                f"sms-mock task {verb} sample-migrate-success{extra}",
                f"sms-mock task {verb} sample-migrate-success{extra} --wait --timeout 600",
            ],
        )
        acting.add_argument("task_id", metavar="ID")
        if verb == "clone-test":
            acting.add_argument("--template-id", required=True, help="the clone's template")
        acting.add_argument(
            "--wait", action="store_true", help="show progress until the task settles"
        )
        _wait_options(acting)
        acting.set_defaults(run=task_operation, operation=operation, verb=verb)

    waiting = command(
        verbs,
        "wait",
        parents=[parent],
        help="follow a task with a progress bar until it settles",
        description="Follow a task that already runs, as `start --wait` does: a progress bar on "
        "standard error until it reaches a --state (by default the end of what it is doing: "
        "MIGRATE_SUCCESS or SYNC_SUCCESS; ABORT while it stops), with the same exit codes.",
        example=["sms-mock task wait sample-running", "sms-mock task wait ID --state ABORT"],
    )
    waiting.add_argument("task_id", metavar="ID")
    waiting.add_argument(
        "--state",
        action="append",
        choices=values(TaskState),
        metavar="STATE",
        help="a state to wait for (repeatable; default: the end of what the task is doing)",
    )
    _wait_options(waiting)
    waiting.set_defaults(run=task_wait)

    source = command(
        commands,
        "source",
        parents=[parent],
        help="list or show source servers",
        description="Source servers (the machines the agent registered), through the SMS API.",
        example=["sms-mock source list", "sms-mock source show src-linux-file"],
    )
    source_verbs = source.add_subparsers(dest="source_command", required=True, metavar="VERB")
    source_listing = command(
        source_verbs,
        "list",
        parents=[parent],
        help="every source",
        description="Every source server of the project, a line each: id, name, ip, state, task.",
        example=["sms-mock source list --state waiting"],
    )
    source_listing.add_argument("--state", help="only sources in this state")
    source_listing.set_defaults(run=source_list)
    source_showing = command(
        source_verbs,
        "show",
        parents=[parent],
        help="one source server",
        description="One source server in a few lines: state, agent, system, task, disks, "
        "networks (the API's answer with --json).",
        example=["sms-mock source show src-linux-file", "sms-mock source show ID --json"],
    )
    source_showing.add_argument("source_id", metavar="ID")
    source_showing.set_defaults(run=source_show)
