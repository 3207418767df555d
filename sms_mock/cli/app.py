"""`sms-mock`: the parser, and how each thing that goes wrong becomes an exit code.

Exit codes: 0 done; 1 the API or the control plane answered an error; 2 bad usage; 3 a body
broke the contract; 4 a task waited on failed; 5 a wait timed out; 6 the endpoint could not
be reached; 7 a task waited on settled in another state.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from sms_mock import __version__
from sms_mock.cli.conform_command import add_conform_command
from sms_mock.cli.control_commands import add_control_commands
from sms_mock.cli.help import Formatter, command, examples
from sms_mock.cli.options import add_client_options, client_parent, sms_client
from sms_mock.cli.output import print_json
from sms_mock.cli.proxy_command import add_proxy_command
from sms_mock.cli.record_command import add_record_command
from sms_mock.cli.tasks import add_task_commands
from sms_mock.mock_server.serving import collector

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_CONTRACT, EXIT_FAILED, EXIT_TIMEOUT = range(6)
EXIT_UNREACHABLE, EXIT_SETTLED = 6, 7
EXIT_CODES = (
    "Exit codes: 0 done, 1 API or control-plane error, 2 bad usage, 3 contract violation, "
    "4 task failed, 5 wait timed out, 6 endpoint unreachable, 7 task settled elsewhere."
)


def _token(args: argparse.Namespace, out: TextIO) -> int:
    client = sms_client(args)
    token = client.token()
    if args.json:
        # IAM's answer: its body as it came, and the token itself, which is its header.
        print_json({"X-Subject-Token": token, **client.token_answer()}, out)
    else:
        print(token, file=out)
    return EXIT_OK


def _serve(args: argparse.Namespace, out: TextIO) -> int:
    from sms_mock.mock_server.serving.command import serve

    return serve(args)


def build_parser() -> argparse.ArgumentParser:
    from sms_mock.mock_server.serving.command import SERVE_EPILOG, add_serve_arguments

    parser = argparse.ArgumentParser(
        prog="sms-mock",
        description="An offline emulator of Huawei Cloud SMS and IAM, and a client for it.",
        epilog=examples("sms-mock serve", "sms-mock task list", "sms-mock task show ID")
        + f"\n\n{EXIT_CODES}",
        formatter_class=Formatter,
    )
    parser.add_argument("--version", action="version", version=f"sms-mock {__version__}")
    add_client_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve_parser = command(
        commands,
        "serve",
        help="run the emulator",
        description="Run the emulator: SMS and IAM on --port, IAM alone on --iam-port, the "
        "control plane on /_mock and the QA dashboard on /_mock/ui. Each option can also come "
        "from the SMS_MOCK_* variable named beside it; a flag wins over its variable.",
        example=[
            "sms-mock serve --port 9000 --clock manual",
            "SMS_MOCK_SCENARIOS=failed-at-migrate-40,ready sms-mock serve",
        ],
        epilog=SERVE_EPILOG,  # its own exit codes, not the client's
    )
    add_serve_arguments(serve_parser)
    serve_parser.set_defaults(run=_serve)

    token_parser = command(
        commands,
        "token",
        parents=[client_parent()],
        help="print a token for the user and project",
        description="Log in to IAM with the user's password and print the token (IAM's answer, "
        "the token under X-Subject-Token, with --json).",
        example=["sms-mock token", "sms-mock token --project ap-southeast-3 --json"],
    )
    token_parser.set_defaults(run=_token)

    add_task_commands(commands)
    add_control_commands(commands)
    add_conform_command(commands)
    add_record_command(commands)
    add_proxy_command(commands)
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    stream = out or sys.stdout
    try:
        code = _run(args, stream)
        stream.flush()  # a closed pipe shows here, not at the interpreter's exit
        return code
    except BrokenPipeError:
        # The reader went away (`sms-mock task list | head -1`): nothing left to say to it.
        try:
            fileno = stream.fileno()
        except (AttributeError, OSError):  # a stream with no descriptor (io.StringIO)
            return EXIT_OK
        os.dup2(os.open(os.devnull, os.O_WRONLY), fileno)  # Python's own flush at exit too
        return EXIT_OK
    except KeyboardInterrupt:  # `journal --follow` and `--wait` end so
        return EXIT_OK


def _run(args: argparse.Namespace, out: TextIO) -> int:
    """A command; what goes wrong, as an exit code and one line on standard error."""
    if args.command == "serve":
        try:
            return args.run(args, out)
        except ValueError as exc:  # reported as a client command reports a bad setting
            print(f"sms-mock: {exc}", file=sys.stderr)
            return EXIT_USAGE
    collector.release()  # the start is over: the garbage collector on (sms_mock.cli.main)
    # Imported only here: `sms-mock serve` needs neither, and importing them slows its start.
    import requests

    from sms_mock.client import (
        ApiError,
        ContractViolation,
        TaskFailed,
        TaskSettledElsewhere,
        WaitTimeout,
    )
    from sms_mock.control import ControlError

    try:
        return args.run(args, out)
    except BrokenPipeError:
        raise
    except TaskFailed as exc:
        print(f"sms-mock: task {exc.task.id} {exc.state}: {exc.error_json}", file=sys.stderr)
        return EXIT_FAILED
    except TaskSettledElsewhere as exc:
        print(f"sms-mock: {exc}", file=sys.stderr)
        return EXIT_SETTLED
    except WaitTimeout as exc:
        print(f"sms-mock: {exc}", file=sys.stderr)
        return EXIT_TIMEOUT
    except ApiError as exc:
        code = "" if exc.error_code in (None, str(exc.status)) else f" {exc.error_code}"
        print(f"sms-mock: {exc.status}{code}: {exc.error_msg}", file=sys.stderr)
        return EXIT_API
    except ControlError as exc:
        print(f"sms-mock: {exc}", file=sys.stderr)
        return EXIT_API
    except ContractViolation as exc:
        print(f"sms-mock: contract violation: {exc}", file=sys.stderr)
        return EXIT_CONTRACT
    except (ValueError, OSError) as exc:  # missing settings, an unreadable file
        if isinstance(exc, requests.RequestException):
            print(f"sms-mock: {unreachable(args, exc)}", file=sys.stderr)
            return EXIT_UNREACHABLE
        print(f"sms-mock: {exc}", file=sys.stderr)
        return EXIT_USAGE


def unreachable(args: argparse.Namespace, exc: Exception) -> str:
    """`cannot reach URL`, why, and what to do: start the emulator, or name the right URL
    (IAM's when it is IAM that did not answer)."""
    failed = getattr(getattr(exc, "request", None), "url", None) or ""
    iam = bool(args.iam_url) and failed.startswith(args.iam_url.rstrip("/"))
    url, option, variable = (args.url, "--url", "SMS_MOCK_URL")
    if iam:
        url, option, variable = (args.iam_url, "--iam-url", "SMS_MOCK_IAM_URL")
    return (
        f"cannot reach {url}: {type(exc).__name__}; is the emulator running? Start it with "
        f"`sms-mock serve`, or give the server's URL with {option} or {variable}"
    )
