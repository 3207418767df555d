"""`sms-mock`: one command line for both sides of the contract.

`serve` runs the emulator; `token`, `task ...` and `source ...` drive any server that speaks the
API, through the reference client; `clock`, `scenario`, `fault`, `reset`, `snapshot` and
`journal` drive the emulator's control plane. Endpoint and credentials come from flags (before
or after the command) or `SMS_MOCK_*` variables, and default to the emulator's default account
on 127.0.0.1:8080. `app.py` lists the exit codes.
"""

from sms_mock.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
