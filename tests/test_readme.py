"""README says what the emulator does: its tables are the tests' tables, its walk-through runs."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable

import pytest

from mock_server import Config
from mock_server.live import LiveServer
from tests import lifecycle_table as table
from tests.helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def section(name: str) -> str:
    match = re.search(rf"<!-- {name} -->\n(.*?)\n<!-- /{name} -->", README, re.S)
    assert match, f"README has no {name} section"
    return match.group(1)


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("lifecycle:phases", table.phases_markdown),
        ("lifecycle:operations", table.operations_markdown),
        ("lifecycle:wrong-state", table.wrong_state_markdown),
        ("lifecycle:durations", table.durations_markdown),
    ],
)
def test_readme_prints_the_lifecycle_tables_the_tests_check(
    name: str, render: Callable[[], str]
) -> None:
    assert section(name) == render()


@pytest.mark.parametrize(
    "code",
    ["APIGW.0101", "APIGW.0201", "APIGW.0301", "APIGW.0302", "SMS.2004", "SMS.2005", "SMS.2006",
     "SMS.9001", "SMS.9002", "SMS.9003", "SMS.9004", "SMS.9006", "SMS.1038", "SMS.1039",
     "SMS.1040", "SMS.2015", "SMS.2007"],
)  # fmt: skip
def test_readme_error_table_names_every_code(code: str) -> None:
    errors = README.split("### Errors", 1)[1].split("## The lifecycle", 1)[0]
    assert f"`{code}`" in errors


@pytest.mark.skipif(shutil.which("curl") is None, reason="the walk-through needs curl")
def test_the_readme_walkthrough_works_as_printed() -> None:
    script = re.search(r"<!-- walkthrough -->\n```bash\n(.*?)```", README, re.S)
    assert script
    with LiveServer(Config(clock="manual")) as server:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script.group(1)],
            env={"SMS": server.url, "PATH": "/usr/bin:/bin:/usr/local/bin"},
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 0, result.stderr
    started, shown = result.stdout.splitlines()
    assert started == "{}"
    assert '"id":"sample-abort"' in shown
    assert '"state":"RUNNING"' in shown


def test_the_readme_client_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    client_part = README.split("## The reference client", 1)[1]
    example = re.search(r"```python\n(.*?)```", client_part, re.S)
    assert example
    # A fast real clock: the resumed task finishes within a poll or two.
    with LiveServer(Config(clock="real", speed=1000)) as server:
        code = example.group(1).replace("http://127.0.0.1:8080", server.url)
        code = code.replace("interval=1", "interval=0.05")
        exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("RUNNING")
    assert printed[-1] == "MIGRATE_SUCCESS None"
