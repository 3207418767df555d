"""`sms-mock conform URL`: the contract suite against any endpoint, as a report.

Exit status: 0 when no answer breaks the contract; 1 when one does (or the login is refused,
so that nothing could be checked); 2 bad usage (a bad URL, unusable credentials, a report
folder that cannot be written); 6 when the endpoint cannot be reached; 130 interrupted (Ctrl-C),
after the run's clean-up.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from sms_mock.cli.help import command

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_INTERRUPTED = 0, 1, 2, 6, 130

DESCRIPTION = """\
Send requests to every operation of the OpenAPI document at URL (any SMS v3 endpoint: the
emulator or the real service) and hold each answer to the contracts. The report gives, per
operation, the requests made, the statuses seen, the answers that keep the contract, the
violations with their field paths, and the error codes seen.

Without --read-only it makes, drives and deletes a migration in the project: a migration
project, sources registered as an agent does, templates and tasks, each deleted at the end,
even after a failure. Against the emulator its control plane moves the clock when it answers.

Credentials come from the environment (HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or
SMS_MOCK_USERNAME, SMS_MOCK_PASSWORD, SMS_MOCK_DOMAIN, SMS_MOCK_PROJECT) or from --credentials
FILE, never from the command line; with none, the emulator's default account."""
EXAMPLE = (
    "sms-mock conform http://127.0.0.1:8080",
    "sms-mock conform https://sms.ap-southeast-1.myhuaweicloud.com \\",
    "    --iam-url https://iam.myhuaweicloud.com --read-only --credentials prod.json --report out",
)
EXIT_STATUS = """\
exit status: 0 every answer keeps the contract, 1 a violation (or the login was refused),
2 bad usage, 6 the endpoint could not be reached."""


def add_conform_command(commands: Any) -> None:
    parser = command(
        commands,
        "conform",
        help="check any endpoint against the contracts, operation by operation",
        description=DESCRIPTION,
        example=EXAMPLE,
        epilog=EXIT_STATUS,
    )
    parser.add_argument(
        "target", metavar="URL", help="the SMS endpoint, e.g. http://127.0.0.1:8080"
    )
    parser.add_argument(
        "--iam-url",
        dest="conform_iam_url",
        metavar="URL",
        help="IAM's endpoint, for the login and IAM's operations (default: URL)",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="send only GET and HEAD requests (and the login): safe against production",
    )
    parser.add_argument(
        "--project",
        dest="conform_project",
        metavar="NAME",
        help="the project to work in, by name (default: the credentials' project)",
    )
    parser.add_argument(
        "--report",
        metavar="DIR",
        type=Path,
        help="also write DIR/conformance.md (every request) and DIR/junit.xml",
    )
    parser.add_argument(
        "--credentials",
        metavar="FILE",
        type=Path,
        help="a JSON file of ak, sk or username, password, domain, project (instead of the "
        "environment)",
    )
    parser.set_defaults(run=conform)


def _usage(message: str) -> int:
    print(f"sms-mock conform: {message}", file=sys.stderr)
    return EXIT_USAGE


def conform(args: argparse.Namespace, out: TextIO) -> int:
    from sms_mock.conformance import Options, Unreachable, UsageError, run
    from sms_mock.credentials import CredentialsError, load_credentials

    # IAM's URL: this command's flag, else the one given before the command (or SMS_MOCK_IAM_URL).
    iam_url = args.conform_iam_url or args.iam_url
    urls = [args.target] + ([iam_url] if iam_url else [])
    for url in urls:
        if not url.startswith(("http://", "https://")):
            return _usage(f"{url}: not an http:// or https:// URL")
    try:
        credentials = load_credentials(args.credentials)
    except CredentialsError as exc:
        return _usage(str(exc))
    options = Options(
        url=args.target,
        iam_url=iam_url,
        read_only=args.read_only,
        project=args.conform_project,
        credentials=credentials,
        # The emulator's control plane, to move its clock: --admin-token or SMS_MOCK_ADMIN_TOKEN
        # (the command line's connection options read the environment).
        admin_token=args.admin_token,
    )
    if args.report is not None:
        try:
            args.report.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return _usage(f"--report {args.report}: {exc.strerror or exc}")
    try:
        report = run(options)
    except UsageError as exc:
        return _usage(str(exc))
    except KeyboardInterrupt:  # the stateful run deleted what it made on its way out
        print("sms-mock conform: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Unreachable as exc:
        print(
            f"sms-mock conform: {exc} (is it running? the emulator starts with `sms-mock serve`)",
            file=sys.stderr,
        )
        return EXIT_UNREACHABLE
    print(report.summary_markdown(), file=out)
    if args.report is not None:
        try:
            (args.report / "conformance.md").write_text(report.markdown(), encoding="utf-8")
            (args.report / "junit.xml").write_text(report.junit_xml(), encoding="utf-8")
        except OSError as exc:
            return _usage(f"--report {args.report}: {exc.strerror or exc}")
    if report.fatal:
        print(f"sms-mock conform: the run stopped early: {report.fatal}", file=sys.stderr)
        return EXIT_VIOLATIONS
    return EXIT_VIOLATIONS if report.violations else EXIT_OK
