"""`sms-mock`: one command line for both sides of the contract.

`serve` runs the emulator; `token`, `task ...` and `source ...` drive any server that speaks the
API, through the reference client; `clock`, `scenario`, `fault`, `reset`, `snapshot` and
`journal` drive the emulator's control plane. Endpoint and credentials come from flags (before
or after the command) or `SMS_MOCK_*` variables, and default to the emulator's default account
on 127.0.0.1:8080. `app.py` lists the exit codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from sms_mock.mock_server.serving import collector, deferred_patterns

if TYPE_CHECKING:
    from sms_mock.cli.app import build_parser

__all__ = ["build_parser", "main"]


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """`sms-mock` with `argv` (the process's arguments by default); its exit code.

    The commands' modules load with the garbage collector held off: `serve` ends the hold
    once its server is made, any other command before it runs (mock_server/serving/collector.py);
    marshmallow first, its e-mail patterns left to their first use (deferred_patterns.py).
    """
    collector.hold()
    try:
        deferred_patterns.import_marshmallow()  # before anything else loads it
        from sms_mock.cli.app import main as run

        return run(argv, out)
    finally:
        collector.release()


def __getattr__(name: str) -> Any:
    if name == "build_parser":
        from sms_mock.cli.app import build_parser

        return build_parser
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
