"""`sms-mock task ...` and `sms-mock source ...`: SMS calls through the reference client, against
the emulator or any server that speaks the API."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from sms_mock.cli.options import client_parent, sms_client
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
WAITS_FOR = {"stop": ("ABORT",), "rollback": ("SYNC_F_ROLLBACK_SUCCESS",)}


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
    task = sms_client(args).get_task(args.task_id)
    if args.json:
        print_json(_to_dict(task), out)
    else:
        print(f"{task.id}  {task.name}  {task.state}", file=out)
        print(progress_line(task), file=out)
        if task.error_json:
            print(f"error_json: {task.error_json}", file=out)
    return 0


def task_create(args: argparse.Namespace, out: TextIO) -> int:
    task_id = sms_client(args).create_task(read_json(args.body))
    emit(args.json, {"id": task_id}, task_id, out)
    return 0


def task_delete(args: argparse.Namespace, out: TextIO) -> int:
    sms_client(args).delete_task(args.task_id)
    emit(args.json, {}, f"deleted: {args.task_id}", out)
    return 0


def task_operation(args: argparse.Namespace, out: TextIO) -> int:
    client = sms_client(args)
    fields: dict[str, Any] = {}
    if getattr(args, "template_id", None):
        fields["template_id"] = args.template_id
    client.task_action(args.task_id, args.operation, **fields)
    if not args.wait:
        emit(args.json, {}, f"{args.verb}: {args.task_id}", out)
        return 0
    progress = progress_printer(sys.stderr)
    try:
        task = client.wait_for_state(
            args.task_id,
            WAITS_FOR.get(args.verb, PHASE_DONE),
            timeout=args.timeout,
            interval=args.interval,
            on_poll=progress,
        )
    finally:
        if sys.stderr.isatty():
            sys.stderr.write("\n")
    emit(args.json, _to_dict(task), f"{task.id}: {task.state}", out)
    return 0


def source_list(args: argparse.Namespace, out: TextIO) -> int:
    sources = list(sms_client(args).list_sources(state=args.state))
    if args.json:
        print_json([_to_dict(source) for source in sources], out)
        return 0
    rows = [(s.id, s.name, s.ip, s.state, s.current_task.id if s.current_task else None)
            for s in sources]  # fmt: skip
    print_table(("ID", "NAME", "IP", "STATE", "TASK"), rows, out)
    return 0


def source_show(args: argparse.Namespace, out: TextIO) -> int:
    print_json(_to_dict(sms_client(args).get_source(args.source_id)), out)
    return 0


def add_task_commands(commands: Any) -> None:
    parent = client_parent()
    task = commands.add_parser(
        "task", parents=[parent], help="list, show, create, delete and act on tasks"
    )
    verbs = task.add_subparsers(dest="task_command", required=True, metavar="VERB")

    listing = verbs.add_parser("list", parents=[parent], help="every task of the project")
    listing.add_argument("--state", choices=values(TaskState), help="only tasks in this state")
    listing.add_argument("--name", help="only tasks of this name")
    listing.set_defaults(run=task_list)

    show = verbs.add_parser("show", parents=[parent], help="one task and where it stands")
    show.add_argument("task_id")
    show.set_defaults(run=task_show)

    create = verbs.add_parser(
        "create", parents=[parent], help="create a task from a PostTask body (README examples)"
    )
    create.add_argument("body", metavar="FILE", help="the JSON body, or - for standard input")
    create.set_defaults(run=task_create)

    delete = verbs.add_parser("delete", parents=[parent], help="delete a task")
    delete.add_argument("task_id")
    delete.set_defaults(run=task_delete)

    for verb, operation in OPERATIONS.items():
        acting = verbs.add_parser(verb, parents=[parent], help=f"send operation {operation}")
        acting.add_argument("task_id")
        if verb == "clone-test":
            acting.add_argument("--template-id", required=True, help="the clone's template")
        acting.add_argument(
            "--wait", action="store_true", help="show progress until the task settles"
        )
        acting.add_argument(
            "--timeout", type=float, default=3600.0, help="seconds to wait (default 3600)"
        )
        acting.add_argument(
            "--interval", type=float, default=2.0, help="seconds between polls (default 2)"
        )
        acting.set_defaults(run=task_operation, operation=operation, verb=verb)

    source = commands.add_parser("source", parents=[parent], help="list or show source servers")
    source_verbs = source.add_subparsers(dest="source_command", required=True, metavar="VERB")
    source_listing = source_verbs.add_parser("list", parents=[parent], help="every source")
    source_listing.add_argument("--state", help="only sources in this state")
    source_listing.set_defaults(run=source_list)
    source_showing = source_verbs.add_parser("show", parents=[parent], help="one source, as JSON")
    source_showing.add_argument("source_id")
    source_showing.set_defaults(run=source_show)
