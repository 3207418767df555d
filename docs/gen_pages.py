"""The site's generated parts, made at build time from the code so that none can drift.

A page asks for one with a line `<!-- generated: NAME -->`; `on_page_markdown` replaces it
with the text below (an unknown NAME stops the build). The tables come from the error
catalogue, the OpenAPI document, the lifecycle tables the tests hold the engine to, the
scenario files, and `bench/results.md`, which `make bench` writes.

`on_config` also lays out the package as the wheel installs it (`sms_mock.client`, ...) under
`build/docs-api/`, a folder of links, so that mkdocstrings finds the public names: in a
checkout `client/` and the others sit beside `sms_mock/`, joined only at run time.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parent.parent
API_VIEW = ROOT / "build" / "docs-api"
PARTS = ("client", "contracts", "mock_server", "fixtures")  # the wheel's sms_mock/ holds them
MARKER = re.compile(r"^<!-- generated: ([a-z0-9:-]+) -->$", re.M)
HTTP_METHODS = ("get", "put", "post", "delete", "head", "patch")
if str(ROOT) not in sys.path:  # the lifecycle tables live in tests/support/
    sys.path.insert(0, str(ROOT))


@event_priority(100)  # before mkdocstrings reads its search paths
def on_config(config: Any) -> Any:
    _lay_out_api_view()
    return config


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    def generated(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise PluginError(f"{page.file.src_path}: no generated part named {name!r}")
        return GENERATORS[name]().rstrip("\n")

    return MARKER.sub(generated, markdown)


def _lay_out_api_view() -> None:
    package = API_VIEW / "sms_mock"
    package.mkdir(parents=True, exist_ok=True)
    wanted = {
        **{entry.name: entry for entry in (ROOT / "sms_mock").iterdir()},
        **{part: ROOT / part for part in PARTS},
    }
    wanted = {name: target for name, target in wanted.items() if name != "__pycache__"}
    for link in package.iterdir():
        if link.name not in wanted or not link.is_symlink():
            link.unlink()
    for name, target in wanted.items():
        link = package / name
        if not link.is_symlink():
            link.symlink_to(target)


def error_catalogue() -> str:
    from sms_mock.contracts.error_codes import markdown_table

    return markdown_table()


def operations() -> str:
    """Every operation of the OpenAPI document, by tag: its call, its SDK name, what it does
    and the statuses it answers."""
    from sms_mock.contracts.openapi import openapi_document

    document = openapi_document()
    by_tag: dict[str, list[str]] = {tag["name"]: [] for tag in document["tags"]}
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not operation:
                continue
            statuses = ", ".join(sorted(operation["responses"]))
            summary = operation.get("summary", "").replace("|", "\\|").replace("\n", " ")
            row = (
                f"| `{method.upper()} {path}` | `{operation['operationId']}` | {summary} "
                f"| {statuses} |"
            )
            by_tag.setdefault(operation["tags"][0], []).append(row)
    parts = []
    descriptions = {tag["name"]: tag.get("description", "") for tag in document["tags"]}
    for tag, rows in by_tag.items():
        parts.append(f"**{tag}** ({len(rows)}): {descriptions.get(tag, '')}\n")
        parts.append("| call | operation | what it does | statuses |\n|---|---|---|---|")
        parts.append("\n".join(rows) + "\n")
    return "\n".join(parts)


def _lifecycle(name: str) -> Callable[[], str]:
    def render() -> str:
        # The tables the tests drive the engine through, row by row (tests/sms/test_lifecycle.py).
        from tests.support import lifecycle_table

        markdown: str = getattr(lifecycle_table, f"{name}_markdown")()
        return markdown

    return render


def scenarios() -> str:
    from sms_mock.mock_server.config import default_fixtures_dir
    from sms_mock.mock_server.control.fixtures import load_fixture_set

    found = load_fixture_set([default_fixtures_dir()]).scenarios
    rows = [f"| `{name}` | {found[name].description} |" for name in sorted(found)]
    return "| scenario | what it loads |\n|---|---|\n" + "\n".join(rows)


def bench_results() -> str:
    """bench/results.md under the page's own title: its headings one level down."""
    text = (ROOT / "bench" / "results.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join("#" + line if line.startswith("#") else line for line in lines)


GENERATORS: dict[str, Callable[[], str]] = {
    "error-catalogue": error_catalogue,
    "operations": operations,
    "lifecycle:phases": _lifecycle("phases"),
    "lifecycle:operations": _lifecycle("operations"),
    "lifecycle:wrong-state": _lifecycle("wrong_state"),
    "lifecycle:durations": _lifecycle("durations"),
    "lifecycle:sources": _lifecycle("sources"),
    "scenarios": scenarios,
    "bench-results": bench_results,
}
