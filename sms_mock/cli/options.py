"""The options every client command takes, accepted before or after the command's name.

argparse reads a main parser's options before the sub-command only, and a sub-parser's after
it; so the same options are on both, the sub-parsers' defaulting to "not given" so that they
never overwrite a value given before the command. Values come from the flag, else from the
`SMS_MOCK_*` variable, else the default account on 127.0.0.1:8080.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from sms_mock.cli.output import ClockRate

if TYPE_CHECKING:
    from sms_mock.client import SmsClient
    from sms_mock.control import ControlPlane

# option -> (environment variable, default, help)
CONNECTION: dict[str, tuple[str, str | None, str]] = {
    "url": ("SMS_MOCK_URL", "http://127.0.0.1:8080", "the emulator's (or SMS's) URL"),
    "iam_url": ("SMS_MOCK_IAM_URL", None, "IAM's URL"),
    "username": ("SMS_MOCK_USERNAME", "mock-user", "the IAM user"),
    "password": ("SMS_MOCK_PASSWORD", "mock-password", "its password"),
    "domain": ("SMS_MOCK_DOMAIN", "mock-domain", "its account (domain) name"),
    "project": ("SMS_MOCK_PROJECT", "cn-north-4", "the project, by name"),
    "admin_token": ("SMS_MOCK_ADMIN_TOKEN", None, "the control plane's X-Mock-Admin-Token"),
}
# The default as --help says it where it is not the value itself. --help never prints a value
# from the environment: a password or an admin token may be one.
SHOWN = {"iam_url": "--url", "password": "the default account's", "admin_token": "none"}


def add_client_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The connection options and `--json`; with `defaults` False, absent ones stay unset."""
    group = parser.add_argument_group("endpoint and credentials (before or after the command)")
    for name, (variable, default, text) in CONNECTION.items():
        shown = SHOWN.get(name, default)
        value = os.environ.get(variable, default) if defaults else argparse.SUPPRESS
        group.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            default=value,
            help=f"{text} (or ${variable}; default {shown})",
        )
    parser.add_argument(
        "--json",
        action="store_true",
        default=False if defaults else argparse.SUPPRESS,
        help="print the API's or control plane's answer unchanged, as JSON",
    )


def client_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    add_client_options(parent, defaults=False)
    return parent


def sms_client(args: argparse.Namespace) -> SmsClient:
    from sms_mock.client import SmsClient

    return SmsClient(
        args.url,
        username=args.username,
        password=args.password,
        domain=args.domain,
        project=args.project,
        iam_endpoint=args.iam_url,
    )


def control_plane(args: argparse.Namespace) -> ControlPlane:
    from sms_mock.control import ControlPlane

    return ControlPlane(args.url, admin_token=args.admin_token)


def clock_rate(args: argparse.Namespace) -> ClockRate | None:
    """How the server's clock runs, from its control plane, for an ETA in wall time; None for
    a server that has none (the real service, whose clock is the wall's) or will not say."""
    import requests

    from sms_mock.control import ControlError

    try:
        with control_plane(args) as control:
            clock = control.clock()
        return ClockRate(manual=clock["mode"] == "manual", speed=float(clock["speed"]))
    except (ControlError, requests.RequestException, ValueError, KeyError, TypeError):
        return None
