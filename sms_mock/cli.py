"""`sms-mock`: one command line for both sides of the contract.

`serve` runs the emulator; `token` and `task ...` drive any server that speaks the API, through
the reference client. Endpoint and credentials come from flags or `SMS_MOCK_*` variables, and
default to the emulator's default account on 127.0.0.1:8080.

Exit codes: 0 done; 1 the API answered an error; 2 bad usage; 3 a body broke the contract;
4 a task waited on failed; 5 a wait timed out; 6 the endpoint could not be reached.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from sms_mock.contracts.enums import TaskState, values
from sms_mock.mock_server.serving.command import add_serve_arguments, serve

if TYPE_CHECKING:
    from sms_mock.client import SmsClient

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_CONTRACT, EXIT_FAILED, EXIT_TIMEOUT, EXIT_UNREACHABLE = range(7)
# --wait waits for a state that is not moving; a fail state ends it with exit 4.
FAIL_STATES = ("MIGRATE_FAIL", "SYNC_FAIL")
SETTLED_STATES = tuple(
    s for s in values(TaskState) if not s.endswith("ING") and s not in FAIL_STATES
)

# flag -> (environment variable, default)
CONNECTION = {
    "url": ("SMS_MOCK_URL", "http://127.0.0.1:8080"),
    "iam_url": ("SMS_MOCK_IAM_URL", None),
    "username": ("SMS_MOCK_USERNAME", "mock-user"),
    "password": ("SMS_MOCK_PASSWORD", "mock-password"),
    "domain": ("SMS_MOCK_DOMAIN", "mock-domain"),
    "project": ("SMS_MOCK_PROJECT", "cn-north-4"),
}


def _add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("endpoint and credentials")
    for name, (variable, default) in CONNECTION.items():
        shown = f" (default {default})" if default and name != "password" else ""
        group.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            default=os.environ.get(variable, default),
            help=f"or ${variable}{shown}",
        )


def _client(args: argparse.Namespace) -> SmsClient:
    from sms_mock.client import SmsClient

    return SmsClient(
        args.url,
        username=args.username,
        password=args.password,
        domain=args.domain,
        project=args.project,
        iam_endpoint=args.iam_url,
    )


# --- commands ----------------------------------------------------------------------------------


def _token(args: argparse.Namespace, out: TextIO) -> int:
    print(_client(args).token(), file=out)
    return EXIT_OK


def _task_list(args: argparse.Namespace, out: TextIO) -> int:
    from sms_mock.client.models import to_dict

    tasks = list(_client(args).list_tasks(state=args.state, name=args.name))
    if args.json:
        print(json.dumps([to_dict(task) for task in tasks], indent=2), file=out)
        return EXIT_OK
    rows = [("ID", "NAME", "STATE", "SUB-TASK")]
    for task in tasks:
        current = next((s for s in task.sub_tasks or [] if s.end_date is None), None)
        where = f"{current.name} {current.progress}%" if current else "-"
        rows.append((task.id, task.name, task.state, where))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        padded = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
        print("  ".join([*padded, row[3]]), file=out)
    return EXIT_OK


def _task_show(args: argparse.Namespace, out: TextIO) -> int:
    from sms_mock.client.models import to_dict

    print(json.dumps(to_dict(_client(args).get_task(args.task_id)), indent=2), file=out)
    return EXIT_OK


def _progress_printer(stream: TextIO) -> Callable[[Any], None]:
    """A one-line progress bar on a terminal; a line per change elsewhere (logs, CI)."""
    last: list[str] = []

    def show(task: Any) -> None:
        current = task.current_subtask
        percent = current.progress if current else 100
        name = current.name if current else "-"
        filled = percent * 30 // 100
        line = f"[{'#' * filled}{'.' * (30 - filled)}] {percent:3d}% {name} {task.state}"
        if stream.isatty():
            stream.write("\r" + line.ljust(80))
            stream.flush()
        elif not last or last[-1] != line:
            stream.write(line + "\n")
        last[:] = [line]

    return show


def _task_operation(args: argparse.Namespace, out: TextIO) -> int:
    client = _client(args)
    client.task_action(args.task_id, args.operation)
    if not args.wait:
        print(f"{args.operation}: {args.task_id}", file=out)
        return EXIT_OK
    progress = _progress_printer(sys.stderr)
    try:
        task = client.wait_for_state(
            args.task_id,
            SETTLED_STATES,
            fail_states=FAIL_STATES,
            timeout=args.timeout,
            interval=args.interval,
            on_poll=progress,
        )
    finally:
        if sys.stderr.isatty():
            sys.stderr.write("\n")
    print(f"{args.task_id}: {task.state}", file=out)
    return EXIT_OK


# --- the parser --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sms-mock",
        description="An offline emulator of Huawei Cloud SMS and IAM, and a client for it.",
        epilog="Exit codes: 0 done, 1 API error, 2 bad usage, 3 contract violation, "
        "4 task failed, 5 wait timed out, 6 endpoint unreachable.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve_parser = commands.add_parser("serve", help="run the emulator")
    add_serve_arguments(serve_parser)
    serve_parser.set_defaults(run=lambda args, out: serve(args))

    token_parser = commands.add_parser("token", help="print a token for the user and project")
    _add_connection_arguments(token_parser)
    token_parser.set_defaults(run=_token)

    task_parser = commands.add_parser("task", help="list, show, start, stop or restart tasks")
    task_commands = task_parser.add_subparsers(dest="task_command", required=True, metavar="ACTION")

    list_parser = task_commands.add_parser("list", help="every task of the project")
    list_parser.add_argument("--state", choices=values(TaskState), help="only tasks in this state")
    list_parser.add_argument("--name", help="only tasks of this name")
    list_parser.add_argument("--json", action="store_true", help="print the tasks as JSON")
    _add_connection_arguments(list_parser)
    list_parser.set_defaults(run=_task_list)

    show_parser = task_commands.add_parser("show", help="one task, as JSON")
    show_parser.add_argument("task_id")
    _add_connection_arguments(show_parser)
    show_parser.set_defaults(run=_task_show)

    for operation in ("start", "stop", "restart"):
        op_parser = task_commands.add_parser(operation, help=f"{operation} a task")
        op_parser.add_argument("task_id")
        op_parser.add_argument(
            "--wait", action="store_true", help="show progress until the task settles"
        )
        op_parser.add_argument(
            "--timeout", type=float, default=3600.0, help="seconds to wait (default 3600)"
        )
        op_parser.add_argument(
            "--interval", type=float, default=2.0, help="seconds between polls (default 2)"
        )
        _add_connection_arguments(op_parser)
        op_parser.set_defaults(run=_task_operation, operation=operation)
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        try:
            return serve(args)
        except ValueError as exc:  # reported as a client command reports a bad setting
            print(f"sms-mock: {exc}", file=sys.stderr)
            return EXIT_USAGE
    return _run_client(args, out or sys.stdout)


def _run_client(args: argparse.Namespace, out: TextIO) -> int:
    """A client command; what goes wrong, as an exit code."""
    # Imported only here: `sms-mock serve` needs neither, and importing them slows its start.
    import requests

    from sms_mock.client import ApiError, ContractViolation, TaskFailed, WaitTimeout

    try:
        return args.run(args, out)
    except TaskFailed as exc:
        print(f"sms-mock: task {exc.task.id} {exc.state}: {exc.error_json}", file=sys.stderr)
        return EXIT_FAILED
    except WaitTimeout as exc:
        print(f"sms-mock: {exc}", file=sys.stderr)
        return EXIT_TIMEOUT
    except ApiError as exc:
        code = "" if exc.error_code in (None, str(exc.status)) else f" {exc.error_code}"
        print(f"sms-mock: {exc.status}{code}: {exc.error_msg}", file=sys.stderr)
        return EXIT_API
    except ContractViolation as exc:
        print(f"sms-mock: contract violation: {exc}", file=sys.stderr)
        return EXIT_CONTRACT
    except ValueError as exc:  # a client built with missing settings
        print(f"sms-mock: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except requests.RequestException as exc:
        print(f"sms-mock: cannot reach {args.url}: {type(exc).__name__}", file=sys.stderr)
        return EXIT_UNREACHABLE


if __name__ == "__main__":
    sys.exit(main())
