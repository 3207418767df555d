"""Packaging: one import namespace, no import cycles, a run time without the test extra, and a
wheel that installs into a project with its own `client`, `contracts` and `fixtures`, whose
tests use the plugin (configured by its pytest.ini and a marker, with the official SDK) and
whose unittest suite uses `sms_mock.serve`."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Folder of the repository -> the module name it is imported under.
FOLDERS = {
    "sms_mock": "sms_mock",
    "client": "sms_mock.client",
    "contracts": "sms_mock.contracts",
    "mock_server": "sms_mock.mock_server",
    "tests": "tests",
    "bench": "bench",
}
BARE_NAMES = {"client", "contracts", "mock_server", "fixtures"}
# What only the test extra installs: nothing `sms-mock serve` or `import contracts` loads.
TEST_ONLY = [
    "hypothesis",
    "pytest",
    "_pytest",
    "schemathesis",
    "openapi_spec_validator",
    "huaweicloudsdkcore",
    "huaweicloudsdksms",
    "huaweicloudsdkiam",
    "keystoneauth1",
]


# --- the import graph ---------------------------------------------------------------------------


def modules_under(root: Path, folders: dict[str, str]) -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package's __init__) for every .py file of the folders."""
    found: dict[str, tuple[Path, bool]] = {}
    for folder, name in folders.items():
        for path in sorted((root / folder).rglob("*.py")):
            parts = path.relative_to(root / folder).with_suffix("").parts
            is_init = parts[-1] == "__init__"
            dotted = ".".join([name, *(parts[:-1] if is_init else parts)])
            found[dotted] = (path, is_init)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports that run when the module is imported: not in functions, not TYPE_CHECKING."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _module_level(node.body)
            yield from _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _module_level(block)
            for handler in node.handlers:
                yield from _module_level(handler.body)
        elif isinstance(node, ast.With | ast.ClassDef):
            yield from _module_level(node.body)


def imported_names(module: str, path: Path, is_init: bool, known: set[str]) -> set[str]:
    """The modules a module imports at module level, as written (relative ones resolved)."""
    package = module if is_init else module.rpartition(".")[0]
    names: set[str] = set()
    for node in _module_level(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            names.add(submodule if submodule in known else base)
    return names


def import_graph(root: Path, folders: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (a package's __init__ counts as a module)."""
    modules = modules_under(root, folders)
    known = set(modules)
    return {
        name: imported_names(name, path, is_init, known) & known
        for name, (path, is_init) in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module, or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = import_graph(REPO, FOLDERS)
    assert len(graph) > 100  # the whole project was read
    assert cycles(graph) == []


def test_the_cycle_check_sees_an_init_that_a_submodule_imports_back(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pkg.app import make\n__version__ = '1'\n")
    (package / "app.py").write_text("from pkg import __version__\ndef make(): ...\n")
    (package / "late.py").write_text("def f():\n    import pkg.app\n")  # in a function: no edge
    graph = import_graph(tmp_path, {"pkg": "pkg"})
    assert cycles(graph) == [["pkg", "pkg.app"]]
    assert graph["pkg.late"] == set()


def test_nothing_imports_the_bare_folder_names() -> None:
    offenders = []
    for name, (path, is_init) in modules_under(REPO, FOLDERS).items():
        for imported in imported_names(name, path, is_init, set()):
            if imported.split(".")[0] in BARE_NAMES:
                offenders.append(f"{path.relative_to(REPO)}: {imported}")
    assert offenders == []


# --- the run time ---------------------------------------------------------------------------------

RUN_TIME_CHECK = """
import importlib, json, pkgutil, sys

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"{name} is not installed at run time")

BLOCKED = set(json.loads(sys.argv[1]))
sys.meta_path.insert(0, Refuse())
import sms_mock.cli, sms_mock.contracts, sms_mock.embedded, sms_mock.mock_server
loaded = []
client = importlib.import_module("sms_mock.client")
for package in (sms_mock.contracts, sms_mock.mock_server, client):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if info.name.endswith(".__main__"):  # runs the command; imported by the others
            continue
        importlib.import_module(info.name)
        loaded.append(info.name)
from sms_mock.mock_server import Config, create_app
answer = create_app(Config(clock="manual")).test_client().get("/_mock/health")
print(json.dumps({"status": answer.status_code, "loaded": loaded,
                  "test_only": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)}))
"""


def test_the_run_time_needs_nothing_from_the_test_extra() -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN_TIME_CHECK, json.dumps(TEST_ONLY)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == 200
    assert "sms_mock.contracts.openapi" in result["loaded"]
    assert "sms_mock.mock_server.serving.command" in result["loaded"]
    assert result["test_only"] == []


# --- the wheel in a project of its own ------------------------------------------------------------

USER_TEST = """
import client
import contracts
import fixtures
import pytest
from huaweicloudsdksms.v3 import ListTasksRequest


def test_the_projects_own_modules_and_the_plugin_side_by_side(sms_mock, sms_client):
    assert (client.WHO, contracts.WHO, fixtures.WHO) == ("mine", "mine", "mine")
    assert sms_client.get_task("sample-ready").state == "READY"
    sms_mock.add_task({"id": "from-the-plugin"})
    assert sms_client.get_task("from-the-plugin").state == "READY"


def test_sms_mock_comes_from_the_wheel():
    import sms_mock
    from sms_mock.mock_server.config import default_fixtures_dir

    assert sms_mock.__file__.startswith({site!r})
    assert str(default_fixtures_dir()).startswith({site!r})


def test_the_ini_file_sets_the_session_server(sms_client):
    assert sms_client.get_task("ours-1").state == "READY"  # its scenario, from its folder


@pytest.mark.sms_mock(auth="aksk", scenario="failed-at-migrate-40")
def test_a_marker_and_the_official_sdk(sms_sdk_client):
    found = sms_sdk_client.list_tasks(ListTasksRequest(name="file-01"))
    assert [(task.name, task.state) for task in found.tasks] == [("file-01", "MIGRATE_FAIL")]
"""

PYTEST_INI = """
[pytest]
sms_mock_fixtures = sms_fixtures
sms_mock_scenarios = ours
sms_mock_clock = manual
"""
OUR_SCENARIO = {
    "description": "The project's own task.",
    "keep_ids": True,
    "tasks": [{"id": "ours-1", "name": "ours-1", "state": "READY"}],
}

USER_UNITTEST = """
import unittest

import sms_mock


def setUpModule():
    global MOCK
    MOCK = unittest.enterModuleContext(sms_mock.serve(fixtures="sms_fixtures", scenario="ours"))


class OurSuite(unittest.TestCase):
    def setUp(self):
        MOCK.reset()
        self.client = self.enterContext(MOCK.client())

    def test_the_scenario_is_served(self):
        self.assertEqual(self.client.get_task("ours-1").state, "READY")

    def test_a_reset_gives_it_back(self):
        self.client.delete_task("ours-1")
        MOCK.reset()
        self.assertEqual(self.client.get_task("ours-1").state, "READY")

    def test_sms_mock_comes_from_the_wheel(self):
        self.assertTrue(sms_mock.__file__.startswith({site!r}))
"""


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from this checkout and installed into a folder of its own."""
    work = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (work / "dist").glob("sms_mock-*.whl")
    site = work / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return site


@pytest.fixture
def user_project(tmp_path: Path, installed_wheel: Path) -> Path:
    """A project with its own top-level `client`, `contracts` and `fixtures`; its pytest.ini
    sets the plugin's fixtures folder (`sms_fixtures`, beside its own `fixtures`) and scenario;
    a unittest suite besides."""
    project = tmp_path / "project"
    (project / "contracts").mkdir(parents=True)
    (project / "fixtures").mkdir()
    (project / "sms_fixtures" / "scenarios").mkdir(parents=True)
    (project / "sms_fixtures" / "scenarios" / "ours.json").write_text(json.dumps(OUR_SCENARIO))
    (project / "pytest.ini").write_text(PYTEST_INI)
    unittest_suite = USER_UNITTEST.replace("{site!r}", repr(str(installed_wheel)))
    (project / "our_suite.py").write_text(unittest_suite)
    (project / "client.py").write_text('WHO = "mine"\n')
    (project / "contracts" / "__init__.py").write_text('WHO = "mine"\n')
    (project / "fixtures" / "__init__.py").write_text('WHO = "mine"\n')
    # Were the emulator to read the project's fixtures folder, this would stop it.
    (project / "fixtures" / "account.json").write_text("not the emulator's")
    test = textwrap.dedent(USER_TEST).replace("{site!r}", repr(str(installed_wheel)))
    (project / "test_user.py").write_text(test)
    return project


def _env(site: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}


def test_the_plugin_and_a_users_own_modules_live_side_by_side(
    user_project: Path, installed_wheel: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=user_project,
        env=_env(installed_wheel),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout


def test_a_unittest_suite_serves_the_emulator_from_the_wheel(
    user_project: Path, installed_wheel: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "unittest", "our_suite"],
        cwd=user_project,
        env=_env(installed_wheel),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ran 3 tests" in done.stderr and done.stderr.rstrip().endswith("OK")


def test_serve_from_the_wheel_inside_such_a_project(
    user_project: Path, installed_wheel: Path
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sms_mock.mock_server", "--port", "0", "--clock", "manual"],
        cwd=user_project,
        env=_env(installed_wheel),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("sms-mock listening on http://127.0.0.1:"), process.stderr
        import requests

        url = first.rsplit(" ", 1)[1]
        health = requests.get(f"{url}/_mock/health", timeout=10)
        assert health.json()["status"] == "ok"
        # The dashboard's templates and static files ship in the wheel.
        page = requests.get(f"{url}/_mock/ui", timeout=10)
        assert page.status_code == 200 and "sample-ready" in page.text
        for name in ("dashboard.js", "dashboard.css"):
            assert requests.get(f"{url}/_mock/ui/static/{name}", timeout=10).status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=10)
