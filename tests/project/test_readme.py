"""README is a front page a newcomer reads in five minutes (issue 25, item 1): short, with what
it is, how to install and run it, a tour, the plugin and the SDK, and a table of contents of
the site. Its examples run in tests/project/test_docs.py with the site's."""

from __future__ import annotations

import re

from tests.support import docs

README = docs.README.read_text(encoding="utf-8")
MAX_BYTES = 12 * 1024


def test_readme_is_at_most_12_kb() -> None:
    assert len(README.encode("utf-8")) <= MAX_BYTES, len(README.encode("utf-8"))


def test_readme_has_a_newcomers_sections_in_order() -> None:
    headings = re.findall(r"^## (.+)$", README, re.M)
    assert headings == [
        "Install",
        "Run",
        "A tour in three commands",
        "In your tests: the pytest plugin",
        "With the official SDK",
        "The project's own tests",
        "Documentation",
    ]


def test_readme_says_it_is_not_on_pypi_and_how_to_install_it() -> None:
    install = docs.section(README, "## Install")
    assert "not published on PyPI" in install
    assert "`sms-mock`" in install
    assert "git+" in install and "pip install ./" in install
    assert "source .venv/bin/activate" in docs.section(README, "## Run")


def test_readme_links_every_page_of_the_site_and_each_link_resolves() -> None:
    linked = set(re.findall(r"\]\((docs/[^)#]+\.md)\)", README))
    pages = {str(path.relative_to(docs.README.parent)) for path in docs.pages()}
    assert linked == pages, sorted(pages ^ linked)
    for target in re.findall(r"\]\(([^)#:]+)\)", README):
        assert (docs.README.parent / target).exists(), target


def test_readme_shows_the_plugin_and_the_sdk_in_ten_lines_each() -> None:
    plugin = docs.section(README, "## In your tests: the pytest plugin")
    sdk = docs.section(README, "## With the official SDK")
    (plugin_code,) = re.findall(r"```python\n(.*?)```", plugin, re.S)
    (sdk_code,) = re.findall(r"```python\n(.*?)```", sdk, re.S)
    assert len(plugin_code.splitlines()) <= 10
    assert len([line for line in sdk_code.splitlines() if line]) <= 10
    assert "pip install huaweicloudsdksms" in sdk
