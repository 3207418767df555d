"""README and the documentation site (docs/), read as the tests read them: pages, sections,
marked blocks and the examples a user runs.

An example is a ```bash or ```python block. Each one runs in the tests unless the line before it
is `<!-- not run: REASON -->`, which says on the page why (the real service, an install into
the reader's environment, a server in the foreground).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from tests.support.helpers import REPO

DOCS = REPO / "docs"
README = REPO / "README.md"
NOT_RUN = re.compile(r"<!-- not run: (.+?) -->\n$")
BLOCK = re.compile(r"^```(bash|python)\n(.*?)^```$", re.S | re.M)


@dataclass(frozen=True)
class Example:
    where: str  # the file, relative to the repository
    line: int  # where its block starts
    language: str  # bash or python
    code: str
    name: str | None  # the `<!-- name -->` marker around it, if any
    not_run: str | None  # why it does not run, as the page says

    @property
    def own_server(self) -> bool:
        """A test module or script that starts its own emulator (the pytest plugin, unittest,
        `sms_mock.serve`), rather than one to run against a server the reader started."""
        own = r"^def test_|^class \w+\(unittest\.TestCase\)|sms_mock\.serve\("
        return self.language == "python" and bool(re.search(own, self.code, re.M))

    def __str__(self) -> str:
        return f"{self.where}:{self.line}"


def pages() -> list[Path]:
    """Every Markdown page of the site."""
    return sorted(DOCS.rglob("*.md"))


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under `## heading` (or deeper), up to the next heading of its level."""
    level, title = heading.split(" ", 1)
    after = text.split(f"\n{level} {title}\n", 1)[1]
    return re.split(rf"\n{level} ", after, maxsplit=1)[0]


def marked(text: str, name: str) -> str:
    """The text between `<!-- name -->` and `<!-- /name -->`."""
    quoted = re.escape(name)
    match = re.search(rf"<!-- {quoted} -->\n(.*?)\n<!-- /{quoted} -->", text, re.S)
    assert match, f"no {name} block"
    return match.group(1)


def examples(path: Path) -> list[Example]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        before = text[: match.start()]
        not_run = NOT_RUN.search(before)
        name = re.search(r"<!-- ([a-z][a-z-]*) -->\n$", before)
        found.append(
            Example(
                where=str(path.relative_to(REPO)),
                line=before.count("\n") + 1,
                language=match.group(1),
                code=match.group(2),
                name=name.group(1) if name else None,
                not_run=not_run.group(1) if not_run else None,
            )
        )
    return found


def every_example() -> list[Example]:
    """README's examples, then the site's, page by page."""
    return [example for path in [README, *pages()] for example in examples(path)]


def site_hook() -> ModuleType:
    """docs/gen_pages.py, the site's build hook, which makes its generated tables."""
    spec = importlib.util.spec_from_file_location("gen_pages", DOCS / "gen_pages.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
