"""`sms-mock proxy`: the emulator's gateway in front of another SMS endpoint, checking every
exchange against the contracts (README, "Proxy and recording")."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from sms_mock.cli.help import command
from sms_mock.mock_server.serving.command import ADMIN_TOKEN_ENV, _addresses, _is_loopback, port

EXIT_OK, EXIT_LISTEN, EXIT_USAGE = 0, 1, 2
PROXY_DESCRIPTION = (
    "Forward every SMS and IAM request to --upstream (IAM's to --iam-upstream when given), "
    "re-signing AK/SK requests with the proxy's own credentials, and check each request and "
    "answer against the contracts: each violation is logged on standard error, added to the "
    "journal and kept for GET /_mock/violations. The control plane and the dashboard are the "
    "proxy's own."
)
PROXY_EPILOG = (
    "Credentials, never on the command line: HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (and "
    "HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary ones) sign AK/SK requests again for the "
    "upstream; or --credentials FILE, a JSON object with the keys ak, sk, security_token. Token "
    "requests pass through as they are.\n\n"
    "Exit codes: 0 stopped (Ctrl-C, SIGTERM), 1 the port is taken, 2 a bad option, credentials "
    "file or recording path."
)


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 0 < number <= 3600:
        raise argparse.ArgumentTypeError(f"{value} must be more than 0 and at most 3600 seconds")
    return number


def add_proxy_command(commands: argparse._SubParsersAction) -> None:
    parser = command(
        commands,
        "proxy",
        help="forward to another SMS endpoint, checking every exchange against the contracts",
        description=PROXY_DESCRIPTION,
        example=(
            "sms-mock proxy --upstream http://127.0.0.1:8080 --port 9090 --strict",
            "HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=... sms-mock proxy \\",
            "    --upstream https://sms.ap-southeast-1.myhuaweicloud.com --record session.har",
        ),
        epilog=PROXY_EPILOG,
    )
    parser.add_argument(
        "--upstream", required=True, metavar="URL", help="the SMS endpoint to forward to"
    )
    parser.add_argument(
        "--iam-upstream",
        metavar="URL",
        help="the IAM endpoint for IAM's operations (default: --upstream)",
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="write every exchange to FILE as HAR 1.2, secrets redacted (FILE is replaced)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="answer 502 MOCK.0503 naming the field for an answer that breaks the contract",
    )
    parser.add_argument(
        "--credentials",
        type=Path,
        metavar="FILE",
        help="a JSON file of credentials (ak, sk, security_token) instead of the environment",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=port, default=8080, help="port to bind; 0 picks a free one (default 8080)"
    )
    parser.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for the upstream's answer (default 60)",
    )
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help=f"the X-Mock-Admin-Token that /_mock calls need; required off loopback (prefer "
        f"{ADMIN_TOKEN_ENV}: a command line is readable in the process list)",
    )
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the control plane and the dashboard answer to besides localhost, any "
        "IP address and --host (repeatable)",
    )
    parser.add_argument(
        "--journal-size",
        type=int,
        default=1000,
        help="requests the journal (/_mock/requests) keeps (default 1000)",
    )
    parser.add_argument(
        "--log-requests",
        action="store_true",
        help="print one line a request on standard output: METHOD PATH STATUS MS [faults]",
    )
    parser.set_defaults(run=run_proxy)


class _Lines(logging.Handler):
    """Violations on standard error, one line each, flushed at once."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(f"sms-mock proxy: {record.getMessage()}\n")
            sys.stderr.flush()
        except Exception:  # a closed stderr must not stop the proxy
            self.handleError(record)


def _log_violations() -> None:
    logger = logging.getLogger("sms_mock.proxy")
    if not any(isinstance(handler, _Lines) for handler in logger.handlers):
        logger.addHandler(_Lines(logging.WARNING))
    logger.setLevel(logging.WARNING)


def _usage(message: str) -> int:
    print(f"sms-mock proxy: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_proxy(args: argparse.Namespace, out: TextIO) -> int:
    # Imported here: the other commands need none of the server.
    from sms_mock.credentials import CredentialsError, load_credentials
    from sms_mock.mock_server.config import Config
    from sms_mock.mock_server.proxy import ProxySettings, create_proxy_app
    from sms_mock.mock_server.serving.waitress_server import make_server, run_until_stopped

    for name in ("threads", "journal_size"):
        if getattr(args, name) < 1:
            return _usage(f"--{name.replace('_', '-')} must be at least 1")
    try:
        credentials = load_credentials(args.credentials)
        settings = ProxySettings(
            upstream=args.upstream,
            iam_upstream=args.iam_upstream,
            credentials=credentials,
            record=args.record,
            strict=args.strict,
            read_timeout_s=args.timeout,
        )
    except (CredentialsError, ValueError) as exc:
        return _usage(str(exc))
    admin_token = args.admin_token or os.environ.get(ADMIN_TOKEN_ENV) or None
    try:
        addresses = _addresses(args.host)
    except OSError:
        return _usage(f"--host {args.host} does not resolve to an address")
    if not admin_token and not _is_loopback(addresses):
        # Off loopback, anyone who reaches the port could read the journal and the violations.
        return _usage(
            f"--host {args.host} is not loopback: give --admin-token or {ADMIN_TOKEN_ENV}"
        )
    config = Config(
        default_fixtures=False,
        journal_size=args.journal_size,
        admin_token=admin_token,
        host=args.host,
        allowed_hosts=list(args.allowed_host),
        log_requests=args.log_requests,
    )
    try:
        app = create_proxy_app(settings, config)
    except OSError as exc:
        return _usage(f"--record {args.record}: {exc.strerror or exc}")
    proxy = app.extensions["sms_mock.proxy"]
    try:
        server = make_server(app, host=args.host, port=args.port, threads=args.threads,
                             iam_port=None)  # fmt: skip
    except OSError as exc:
        proxy.close()
        print(
            f"sms-mock proxy: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_LISTEN
    _log_violations()
    host = server.effective_host
    shown = f"[{host}]" if ":" in str(host) else host
    base = f"http://{shown}:{server.effective_port}"

    def announce() -> None:
        # The first line is the proxy's URL, which scripts read.
        lines = [f"sms-mock proxy listening on {base}", f"sms-mock proxy forwarding to "
                 f"{settings.upstream}" + (f", IAM to {settings.iam_upstream}"
                                           if settings.iam_upstream else "")]  # fmt: skip
        if credentials.has_aksk:
            shown_ak = f"{(credentials.ak or '')[:4]}..."
            lines.append(f"sms-mock proxy re-signs AK/SK requests with the AK {shown_ak}")
        else:
            lines.append(
                "sms-mock proxy has no AK/SK: signed requests go as they are, and an upstream "
                "on another host refuses their signature"
            )
        if settings.record is not None:
            lines.append(f"sms-mock proxy recording to {settings.record}")
        if settings.strict:
            lines.append("sms-mock proxy is strict: an answer that breaks the contract is a 502")
        lines.append(f"sms-mock proxy violations on {base}/_mock/violations, dashboard on "
                     f"{base}/_mock/ui")  # fmt: skip
        for line in lines:
            print(line, file=out, flush=True)

    try:
        run_until_stopped(server, announce)
    finally:
        proxy.close()  # the recording is a complete HAR file from here on
        app.extensions["sms_mock"].close()
    print("sms-mock proxy stopped", file=out, flush=True)
    return EXIT_OK
