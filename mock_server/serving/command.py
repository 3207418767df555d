"""`sms-mock serve`: the emulator under waitress, a production WSGI server."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import socket
import sqlite3
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from sms_mock.contracts.control import SPEED_RANGE
from sms_mock.contracts.enums import AuthMode, ClockMode
from sms_mock.mock_server.app import create_app
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.control.fixtures import FixtureError
from sms_mock.mock_server.control.scenarios import UnknownScenario
from sms_mock.mock_server.core.state_file import StateFileError
from sms_mock.mock_server.emulator import SaveFailed
from sms_mock.mock_server.serving import collector
from sms_mock.mock_server.serving.waitress_server import (
    DEFAULT_CHANNEL_TIMEOUT_S,
    DEFAULT_CONNECTION_LIMIT,
    DEFAULT_HEAD_TIMEOUT_S,
    EmulatorServer,
    ListenerError,
    make_server,
    run_until_stopped,
)
from sms_mock.mock_server.snapshot_check import InvalidSnapshot

ADMIN_TOKEN_ENV = "SMS_MOCK_ADMIN_TOKEN"
SERVE_EPILOG = (
    "Each option's variable is read when the option is not given; a repeatable option's takes "
    "a comma-separated list (SMS_MOCK_FIXTURES: folders separated by ':'), an on/off one "
    "1/0, true/false, yes/no or on/off.\n\n"
    "Exit codes: 0 stopped (Ctrl-C, SIGTERM), 1 a port is taken, 2 a bad option, variable, "
    "fixtures folder, scenario or state file."
)
BOOLEAN_WORDS = {"1": True, "true": True, "yes": True, "on": True,
                 "0": False, "false": False, "no": False, "off": False}  # fmt: skip


def port(value: str) -> int:
    """A TCP port, 0 to 65535 (0: a free one); argparse's error otherwise, not a wrapped one."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a port: give 0 to 65535")
    return number


def whole(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None


def number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None


@dataclass(frozen=True)
class ServeOption:
    """A `serve` option and its variable (`SMS_MOCK_` and the option's name, plural for a
    repeatable one), read when the flag is not given."""

    flag: str
    help: str
    default: Any = None
    parse: Callable[[str], Any] = str
    choices: tuple[str, ...] | None = None
    kind: str = "value"  # "value", "switch" (on or off) or "list" (repeatable)
    metavar: str | None = None
    variable: str = ""  # SMS_MOCK_<FLAG> unless given
    shown: str = ""  # the default as --help says it, when not the value itself

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    @property
    def env(self) -> str:
        return self.variable or "SMS_MOCK_" + self.dest.upper()

    def from_text(self, text: str) -> Any:
        """The variable's value as the option's; ValueError naming the variable otherwise."""
        try:
            if self.kind == "switch":
                if text.strip().lower() not in BOOLEAN_WORDS:
                    raise argparse.ArgumentTypeError(
                        f"{text!r} is not 1/0, true/false, yes/no or on/off"
                    )
                return BOOLEAN_WORDS[text.strip().lower()]
            if self.kind == "list":
                separator = os.pathsep if self.parse is Path else ","
                return [self.parse(item.strip()) for item in text.split(separator) if item.strip()]
            value = self.parse(text.strip())
        except (argparse.ArgumentTypeError, ValueError) as exc:
            raise ValueError(f"{self.env}: {exc}") from None
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{self.env}: {text!r} is not one of {', '.join(self.choices)}")
        return value


SERVE_OPTIONS: tuple[ServeOption, ...] = (
    ServeOption("--host", "address to bind", "127.0.0.1"),
    ServeOption("--port", "port to bind; 0 picks a free one", 8080, port),
    ServeOption(
        "--iam-port",
        "port of the IAM listener, where GET / is Keystone's; every IAM route is also served "
        "on --port",
        parse=port,
        metavar="PORT",
        shown="--port + 1, or a free one with --port 0",
    ),
    ServeOption("--threads", "worker threads", 4, whole),
    ServeOption(
        "--fixtures",
        "a fixtures folder to load after the default one (repeatable)",
        [],
        Path,
        kind="list",
        metavar="DIR",
        shown="none",
    ),
    ServeOption(
        "--no-default-fixtures",
        "do not load the packaged default account and sample tasks",
        False,
        kind="switch",
        shown="off",
    ),
    ServeOption(
        "--scenario",
        "a named scenario to load at start and after every reset (repeatable)",
        [],
        kind="list",
        metavar="NAME",
        variable="SMS_MOCK_SCENARIOS",
        shown="none",
    ),
    ServeOption(
        "--clock",
        "real: wall time times --speed; manual: moves only on /_mock/clock/advance",
        ClockMode.REAL.value,
        choices=tuple(mode.value for mode in ClockMode),
    ),
    ServeOption("--speed", "how fast the real clock runs", 1.0, number),
    ServeOption(
        "--auth",
        "what SMS calls accept: any (a token or an SDK signature), token, aksk, or off (no "
        "authentication: X-Project-Id or the default project)",
        AuthMode.ANY.value,
        choices=tuple(mode.value for mode in AuthMode),
    ),
    ServeOption(
        "--state-file",
        "keep all state in this SQLite file; it survives restarts and kill -9",
        parse=Path,
        metavar="PATH",
        shown="none: state in memory",
    ),
    ServeOption(
        "--journal-size", "requests the journal (/_mock/requests) keeps", 1000, whole, metavar="N"
    ),
    ServeOption(
        "--admin-token",
        "the X-Mock-Admin-Token that /_mock calls need; required off loopback (a command line "
        f"is readable in the process list: prefer {ADMIN_TOKEN_ENV} or --admin-token-file)",
        metavar="TOKEN",
        variable=ADMIN_TOKEN_ENV,
        shown="none",
    ),
    ServeOption(
        "--allowed-host",
        "a host name the control plane, the dashboard and /openapi.json answer to besides "
        "localhost, any IP address and --host (repeatable); needed to reach them by name from "
        "another machine or a container",
        [],
        kind="list",
        metavar="NAME",
        variable="SMS_MOCK_ALLOWED_HOSTS",
        shown="none",
    ),
    ServeOption(
        "--log-requests",
        "print one line a request on standard output: METHOD PATH STATUS MS [faults]",
        False,
        kind="switch",
        shown="off",
    ),
    ServeOption(
        "--admin-token-file",
        "read the admin token from this file (its first line)",
        parse=Path,
        metavar="PATH",
        shown="none",
    ),
    ServeOption(
        "--connection-limit",
        "open connections served at once, both listeners together; idle and slow ones count",
        DEFAULT_CONNECTION_LIMIT,
        whole,
        metavar="N",
    ),
    ServeOption(
        "--channel-timeout",
        "close a connection that sends nothing for this long, idle or half a request",
        DEFAULT_CHANNEL_TIMEOUT_S,
        whole,
        metavar="SECONDS",
    ),
    ServeOption(
        "--head-timeout",
        "close a connection whose request line and headers are not all in this long after "
        "their first byte, however they trickle in",
        DEFAULT_HEAD_TIMEOUT_S,
        whole,
        metavar="SECONDS",
    ),
)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Every option defaults to None ("not given"): `settle` then reads its variable, else
    takes its default, so that a flag always wins over its variable."""
    for option in SERVE_OPTIONS:
        default = option.shown or option.default
        text = f"{option.help} (default {default}; ${option.env})"
        if option.kind == "switch":
            parser.add_argument(option.flag, action="store_true", default=None, help=text)
            continue
        parser.add_argument(
            option.flag,
            type=option.parse,
            choices=option.choices,
            action="append" if option.kind == "list" else "store",
            default=None,
            metavar=option.metavar,
            help=text,
        )


def settle(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, str]:
    """Fill every option not given from its variable, else its default; where each value
    came from (`--port` or `SMS_MOCK_PORT`), for the messages. ValueError naming a variable
    whose value is not the option's. An empty variable is taken as unset."""
    origins: dict[str, str] = {}
    for option in SERVE_OPTIONS:
        origins[option.dest] = option.flag
        if getattr(args, option.dest) is not None:
            continue
        text = environ.get(option.env, "")
        if text:
            setattr(args, option.dest, option.from_text(text))
            origins[option.dest] = option.env
        else:
            default = option.default
            setattr(args, option.dest, list(default) if isinstance(default, list) else default)
    return origins


def _admin_token(args: argparse.Namespace, origins: dict[str, str]) -> str | None:
    """A flag first (--admin-token, then --admin-token-file), then a variable alike: the token,
    or the first line of the file."""
    given = [name for name in ("admin_token", "admin_token_file") if getattr(args, name)]
    given.sort(key=lambda name: origins[name].startswith("SMS_MOCK_"))  # flags first
    if not given:
        return None
    if given[0] == "admin_token":
        return str(args.admin_token)
    text = args.admin_token_file.read_text(encoding="utf-8")
    token = text.splitlines()[0].strip() if text.strip() else ""
    if not token:
        raise ValueError(f"{origins['admin_token_file']} {args.admin_token_file} is empty")
    return token


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
        tasks = ", ".join(f"{load.names.get(i, '')} ({i})" for i in load.task_ids)
        lines.append(f"sms-mock scenario {load.scenario} in {project}: tasks {tasks}")
    return lines


def _listen_failure(exc: ListenerError, host: str, origins: dict[str, str]) -> str:
    """Which port could not be bound, why, and the option (and variable) that changes it."""
    name, dest = ("the API port", "port") if exc.listener == "SMS" else ("the IAM port", "iam_port")
    option = next(o for o in SERVE_OPTIONS if o.dest == dest)
    where = f"{host}:{exc.port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"{name} {where} is taken ({exc.strerror}): choose another with {option.flag} or "
            f"{option.env} (0 picks a free one)"
        )
    return (
        f"cannot listen on {name} {where} ({exc.strerror}): check {origins['host']} and "
        f"{option.flag}"
    )


def _build(
    config: Config, args: argparse.Namespace, origins: Mapping[str, str]
) -> tuple[Flask, EmulatorServer] | int:
    """The app and its server, or the exit code of what stopped them (said on stderr)."""
    try:
        app = create_app(config)
    except FixtureError as exc:
        print(f"sms-mock: fixtures: {exc}", file=sys.stderr)
        return 2
    except UnknownScenario as exc:
        print(f"sms-mock: {origins['scenario']}: {exc.args[0]}", file=sys.stderr)
        return 2
    except (sqlite3.Error, InvalidSnapshot, StateFileError, SaveFailed) as exc:
        print(f"sms-mock: {origins['state_file']} {args.state_file}: {exc}", file=sys.stderr)
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
    except ListenerError as exc:
        print(f"sms-mock: {_listen_failure(exc, args.host, origins)}", file=sys.stderr)
        return 1
    return app, server


def serve(args: argparse.Namespace) -> int:
    try:
        origins = settle(args, os.environ)
    except ValueError as exc:
        print(f"sms-mock: {exc}", file=sys.stderr)
        return 2
    if not SPEED_RANGE.min <= args.speed <= SPEED_RANGE.max:
        print(f"sms-mock: {origins['speed']} must be from {SPEED_RANGE.min:g} to "
              f"{SPEED_RANGE.max:g}", file=sys.stderr)  # fmt: skip
        return 2
    for name in ("threads", "journal_size", "connection_limit", "channel_timeout", "head_timeout"):
        if getattr(args, name) < 1:
            print(f"sms-mock: {origins[name]} must be at least 1", file=sys.stderr)
            return 2
    try:
        admin_token = _admin_token(args, origins)
    except (OSError, ValueError) as exc:
        print(f"sms-mock: {exc}", file=sys.stderr)
        return 2
    try:
        addresses = _addresses(args.host)
    except OSError:
        print(f"sms-mock: {origins['host']} {args.host} does not resolve to an address",
              file=sys.stderr)  # fmt: skip
        return 2
    if not _is_loopback(addresses) and not admin_token:
        # Off loopback, anyone who reaches the port could rewrite the state through /_mock.
        print(
            f"sms-mock: {origins['host']} {args.host} is not loopback: give --admin-token, "
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
    # Built with the garbage collector held off (as the command line's imports were), and what
    # the start made frozen before serving: it lives as long as the process (serving/collector.py).
    collector.hold()
    try:
        built = _build(config, args, origins)
    except BaseException:
        collector.release()
        raise
    if isinstance(built, int):
        collector.release()
        return built
    app, server = built
    froze = collector.release(freeze=True)
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

    try:
        run_until_stopped(server, announce)
    finally:
        if froze:
            collector.thaw()  # a caller in process (a test) collects as before
    app.extensions["sms_mock"].close()
    print("sms-mock stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    from sms_mock.cli.help import Formatter

    parser = argparse.ArgumentParser(
        prog="sms-mock serve", description=__doc__, epilog=SERVE_EPILOG, formatter_class=Formatter
    )
    add_serve_arguments(parser)
    return serve(parser.parse_args(argv))
