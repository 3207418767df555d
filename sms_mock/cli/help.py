"""What `--help` prints: every command a description line, its options' defaults, an example."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any


class Formatter(argparse.HelpFormatter):
    """Paragraphs wrapped to the terminal, example lines (indented) as written; an option's
    default after its help unless the help already says it (`default ...`), or the default is
    no value (None, off, empty)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if "\n  " in paragraph:  # `example:` and its indented command lines
                paragraphs.append("\n".join(indent + line for line in paragraph.splitlines()))
            else:
                paragraphs.append(super()._fill_text(paragraph, width, indent))
        return "\n\n".join(paragraphs)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            action.option_strings
            and "default" not in text
            and default not in (None, False, argparse.SUPPRESS)
            and default != []
        ):
            text += " (default %(default)s)"
        return text


def examples(*lines: str) -> str:
    """An epilog of example command lines."""
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


def command(
    commands: Any,
    name: str,
    *,
    help: str,
    description: str,
    example: Sequence[str],
    parents: Sequence[argparse.ArgumentParser] = (),
    epilog: str = "",
) -> argparse.ArgumentParser:
    """A sub-command with its one-line `help` (the list of commands), a `description` line and
    examples (its own `--help`)."""
    text = examples(*example) + (f"\n\n{epilog}" if epilog else "")
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        parents=list(parents),
        help=help,
        description=description,
        epilog=text,
        formatter_class=Formatter,
    )
    return parser
