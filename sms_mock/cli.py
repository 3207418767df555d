"""`sms-mock`: one command line for both sides of the contract.

`serve` runs the emulator; the client's commands (`token`, `task ...`) drive any server that
speaks the API.
"""

from __future__ import annotations

import argparse
import sys

from mock_server.server import add_serve_arguments, serve


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sms-mock",
        description="An offline emulator of Huawei Cloud SMS and IAM, and a client for it.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve_parser = commands.add_parser("serve", help="run the emulator")
    add_serve_arguments(serve_parser)
    serve_parser.set_defaults(run=serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
