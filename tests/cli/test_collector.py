"""The command line in process leaves Python's garbage collector as it found it.

`sms-mock` holds the collector off while its modules and `serve`'s emulator load (README,
"Performance"); a caller that runs it in process (a test, a script) gets the collector back on
whatever the command did: a client command, a refused `serve`, one that fails to build its
emulator, `--help`."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from sms_mock import cli


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    assert gc.isenabled()
    yield
    gc.enable()  # a failure here must not leave the rest of the session without it


def _run(argv: list[str]) -> int:
    try:
        return cli.main(argv, out=io.StringIO())
    except SystemExit as exc:  # argparse's --help and usage errors
        return int(exc.code or 0)


@pytest.mark.parametrize(
    "argv",
    [
        ["--url", "http://127.0.0.1:9", "task", "list"],  # nothing listens: unreachable
        ["serve", "--journal-size", "0"],  # refused before the emulator is built
        ["serve", "--port", "0", "--fixtures", "/nonexistent-folder"],  # refused as it is built
        ["serve", "--help"],
        ["no-such-command"],
    ],
)
def test_the_collector_is_on_after_a_command(argv: list[str], tmp_path: Path) -> None:
    code = _run(argv)
    assert code != 0 or argv[-1] == "--help"
    assert gc.isenabled()


def test_a_collector_held_off_by_the_caller_stays_off() -> None:
    gc.disable()
    try:
        _run(["serve", "--journal-size", "0"])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_serve_run_alone_gives_the_collector_back_when_it_cannot_start() -> None:
    """`python -m sms_mock.mock_server` runs `serve` without the command line around it."""
    from sms_mock.mock_server.serving import command

    assert command.main(["--port", "0", "--fixtures", "/nonexistent-folder"]) == 2
    assert gc.isenabled()
