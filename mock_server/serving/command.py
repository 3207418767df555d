"""`sms-mock serve`: the emulator under waitress, a production WSGI server."""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Any

from sms_mock.contracts.control import SPEED_RANGE
from sms_mock.contracts.enums import AuthMode, ClockMode
from sms_mock.mock_server.app import create_app
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.control.fixtures import FixtureError
from sms_mock.mock_server.control.scenarios import UnknownScenario
from sms_mock.mock_server.core.state_file import StateFileError
from sms_mock.mock_server.emulator import SaveFailed
from sms_mock.mock_server.serving.waitress_server import (
    DEFAULT_CHANNEL_TIMEOUT_S,
    DEFAULT_CONNECTION_LIMIT,
    DEFAULT_HEAD_TIMEOUT_S,
    make_server,
    run_until_stopped,
)
from sms_mock.mock_server.snapshot_check import InvalidSnapshot

ADMIN_TOKEN_ENV = "SMS_MOCK_ADMIN_TOKEN"


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=port, default=8080, help="port to bind; 0 picks a free one (default 8080)"
    )
    parser.add_argument(
        "--iam-port",
        type=port,
        metavar="PORT",
        help="port of the IAM listener, where GET / is Keystone's (default: --port + 1, or a "
        "free one with --port 0); every IAM route is also served on --port",
    )
    parser.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    parser.add_argument(
        "--fixtures",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="a fixtures folder to load after the default one (repeatable)",
    )
    parser.add_argument(
        "--no-default-fixtures",
        action="store_true",
        help="do not load the packaged default account and sample tasks",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME",
        help="a named scenario to load at start and after every reset (repeatable)",
    )
    parser.add_argument(
        "--clock",
        choices=[mode.value for mode in ClockMode],
        default=ClockMode.REAL.value,
        help="real: wall time times --speed; manual: moves only on /_mock/clock/advance",
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="how fast the real clock runs (default 1.0)"
    )
    parser.add_argument(
        "--auth",
        choices=[mode.value for mode in AuthMode],
        default=AuthMode.ANY.value,
        help="what SMS calls accept: any (a token or an SDK signature, the default), token, "
        "aksk, or off (no authentication: X-Project-Id or the default project)",
    )

    parser.add_argument(
        "--state-file",
        type=Path,
        metavar="PATH",
        help="keep all state in this SQLite file; it survives restarts and kill -9",
    )
    parser.add_argument(
        "--journal-size",
        type=int,
        default=1000,
        help="requests the journal (/_mock/requests) keeps (default 1000)",
    )
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="the X-Mock-Admin-Token that /_mock calls need; required off loopback (a "
        f"command line is readable in the process list: prefer {ADMIN_TOKEN_ENV} or "
        "--admin-token-file)",
    )
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the control plane, the dashboard and /openapi.json answer to besides "
        "localhost, any IP address and --host (repeatable); needed to reach them by name from "
        "another machine or a container",
    )
    parser.add_argument(
        "--log-requests",
        action="store_true",
        help="print one line a request on standard output: METHOD PATH STATUS MS [faults]",
    )
    parser.add_argument(
        "--admin-token-file",
        type=Path,
        metavar="PATH",
        help="read the admin token from this file (its first line)",
    )
    parser.add_argument(
        "--connection-limit",
        type=int,
        default=DEFAULT_CONNECTION_LIMIT,
        metavar="N",
        help="open connections served at once, both listeners together; idle and slow ones "
        f"count (default {DEFAULT_CONNECTION_LIMIT})",
    )
    parser.add_argument(
        "--channel-timeout",
        type=int,
        default=DEFAULT_CHANNEL_TIMEOUT_S,
        metavar="SECONDS",
        help="close a connection that sends nothing for this long, idle or half a request "
        f"(default {DEFAULT_CHANNEL_TIMEOUT_S})",
    )
    parser.add_argument(
        "--head-timeout",
        type=int,
        default=DEFAULT_HEAD_TIMEOUT_S,
        metavar="SECONDS",
        help="close a connection whose request line and headers are not all in this long "
        f"after their first byte, however they trickle in (default {DEFAULT_HEAD_TIMEOUT_S})",
    )


def port(value: str) -> int:
    """A TCP port, 0 to 65535 (0: a free one); argparse's error otherwise, not a wrapped one."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a port: give 0 to 65535")
    return number


def _admin_token(args: argparse.Namespace) -> str | None:
    """--admin-token, else the first line of --admin-token-file, else SMS_MOCK_ADMIN_TOKEN."""
    if args.admin_token:
        return args.admin_token
    if args.admin_token_file is not None:
        text = args.admin_token_file.read_text(encoding="utf-8")
        token = text.splitlines()[0].strip() if text.strip() else ""
        if not token:
            raise ValueError(f"--admin-token-file {args.admin_token_file} is empty")
        return token
    return os.environ.get(ADMIN_TOKEN_ENV) or None


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses a --host names; OSError when it names none (it does not resolve)."""
    bare = host.strip("[]")
    try:
        return [ipaddress.ip_address(bare)]
    except ValueError:
        found = socket.getaddrinfo(bare, None, type=socket.SOCK_STREAM)
        return [ipaddress.ip_address(info[4][0]) for info in found]


def _is_loopback(addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    return bool(addresses) and all(a.is_loopback for a in addresses)


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def startup_summary(app: Any, state_file: Path | None) -> list[str]:
    """What the emulator holds as it starts: the lines after the two `listening` lines."""
    emulator = app.extensions["sms_mock"]
    account = emulator.iam.account
    counts = emulator.sms.counts()
    origin = f"the state file {state_file}" if state_file is not None else "the fixtures"
    held = [
        (len(account.domains), "account", "accounts"),
        (len(account.projects), "project", "projects"),
        (len(account.users), "user", "users"),
        (counts["tasks"], "task", "tasks"),
        (counts["sources"], "source server", "source servers"),
        (counts["templates"], "template", "templates"),
        (len(emulator.fixtures.scenarios), "scenario to load", "scenarios to load"),
    ]
    listed = ", ".join(_count(*row) for row in held)
    lines = [f"sms-mock loaded from {origin}: {listed}"]
    for load in emulator.startup_scenarios:
        project = account.projects[load.project_id].name
        lines.append(
            f"sms-mock scenario {load.scenario} in {project}: tasks {', '.join(load.task_ids)}"
        )
    return lines


def serve(args: argparse.Namespace) -> int:
    if not SPEED_RANGE.min <= args.speed <= SPEED_RANGE.max:
        print(f"sms-mock: --speed must be from {SPEED_RANGE.min:g} to {SPEED_RANGE.max:g}",
              file=sys.stderr)  # fmt: skip
        return 2
    for name in ("threads", "journal_size", "connection_limit", "channel_timeout", "head_timeout"):
        if getattr(args, name) < 1:
            print(f"sms-mock: --{name.replace('_', '-')} must be at least 1", file=sys.stderr)
            return 2
    try:
        admin_token = _admin_token(args)
    except (OSError, ValueError) as exc:
        print(f"sms-mock: {exc}", file=sys.stderr)
        return 2
    try:
        addresses = _addresses(args.host)
    except OSError:
        print(f"sms-mock: --host {args.host} does not resolve to an address", file=sys.stderr)
        return 2
    if not _is_loopback(addresses) and not admin_token:
        # Off loopback, anyone who reaches the port could rewrite the state through /_mock.
        print(
            f"sms-mock: --host {args.host} is not loopback: give --admin-token, "
            f"--admin-token-file or {ADMIN_TOKEN_ENV}",
            file=sys.stderr,
        )
        return 2
    config = Config(
        fixtures=list(args.fixtures),
        default_fixtures=not args.no_default_fixtures,
        clock=args.clock,
        speed=args.speed,
        scenarios=list(args.scenario),
        auth=args.auth,
        state_file=args.state_file,
        journal_size=args.journal_size,
        admin_token=admin_token,
        host=args.host,
        allowed_hosts=list(args.allowed_host),
        log_requests=args.log_requests,
    )
    try:
        app = create_app(config)
    except FixtureError as exc:
        print(f"sms-mock: fixtures: {exc}", file=sys.stderr)
        return 2
    except UnknownScenario as exc:
        print(f"sms-mock: --scenario: {exc.args[0]}", file=sys.stderr)
        return 2
    except (sqlite3.Error, InvalidSnapshot, StateFileError, SaveFailed) as exc:
        print(f"sms-mock: --state-file {args.state_file}: {exc}", file=sys.stderr)
        return 2
    # The next port up by default, a free one when there is none (--port 0, or 65535).
    default_iam_port = args.port + 1 if 0 < args.port < 65535 else 0
    iam_port = args.iam_port if args.iam_port is not None else default_iam_port
    try:
        server = make_server(
            app,
            host=args.host,
            port=args.port,
            threads=args.threads,
            iam_port=iam_port,
            connection_limit=args.connection_limit,
            channel_timeout=args.channel_timeout,
            head_timeout=args.head_timeout,
        )
    except OSError as exc:
        print(
            f"sms-mock: cannot listen on {args.host}:{args.port} and, for IAM, "
            f"{args.host}:{iam_port} (--iam-port): {exc}",
            file=sys.stderr,
        )
        return 1
    host = server.effective_host
    shown = f"[{host}]" if ":" in str(host) else host
    summary = startup_summary(app, args.state_file)

    def announce() -> None:
        # The first line is the SMS URL, which scripts read; the IAM one follows.
        print(f"sms-mock listening on http://{shown}:{server.effective_port}", flush=True)
        print(f"sms-mock IAM listening on http://{shown}:{server.iam_port}", flush=True)
        for line in summary:
            print(line, flush=True)
        print(f"sms-mock dashboard on http://{shown}:{server.effective_port}/_mock/ui", flush=True)

    run_until_stopped(server, announce)
    app.extensions["sms_mock"].close()
    print("sms-mock stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sms-mock serve", description=__doc__)
    add_serve_arguments(parser)
    return serve(parser.parse_args(argv))
