"""Fixtures: the account and the tasks an emulator starts with, read from JSON folders.

A fixtures folder may hold `account.json` (domains with their projects, users and access keys)
and `tasks/*.json` (each `{"project": NAME_OR_ID, "tasks": [task documents]}`) and
`scenarios/*.json` (named scenarios, see `scenarios.py`), each read through its schema in
`contracts/fixtures.py`. A tasks or sources file's `clock.now_ms`, as a scenario's, is the
instant its dates were written against: each load moves them onto the clock
(`written_dates`). The default folder ships inside the package (`config.py`);
`--fixtures DIR` adds more on top of it (a scenario of the same name replaces one).
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from sms_mock.contracts.base import first_problem
from sms_mock.contracts.fixtures import AccountFileSchema, FileClockSchema, TasksFileSchema
from sms_mock.mock_server.control.scenarios import Scenario, ScenarioError, parse_scenario
from sms_mock.mock_server.core.http import UnsafeJson, parse_json
from sms_mock.mock_server.iam.models import AccessKey, Account, Domain, Project, User
from sms_mock.mock_server.sms.resource_documents import SOURCE_DOCUMENT, TEMPLATE_DOCUMENT
from sms_mock.mock_server.sms.task_documents import load_task_document

_ACCOUNT_SCHEMA = AccountFileSchema()
_TASKS_SCHEMA = TasksFileSchema()
_CLOCK_SCHEMA = FileClockSchema()


class FixtureError(ValueError):
    """A fixtures file that cannot be used; the message names the file and the field."""


@dataclass
class TaskFixture:
    project: str  # a project id or name
    document: dict[str, Any]
    durations: dict[str, float] = field(default_factory=dict)
    source: str = ""
    written_ms: int | None = None  # its file's `clock.now_ms`


@dataclass
class ResourceFixture:
    project: str  # a project id or name
    document: dict[str, Any]
    written_ms: int | None = None  # its file's `clock.now_ms`


@dataclass
class FixtureSet:
    account: Account = field(default_factory=Account)
    sources: list[ResourceFixture] = field(default_factory=list)
    templates: list[ResourceFixture] = field(default_factory=list)
    tasks: list[TaskFixture] = field(default_factory=list)
    scenarios: dict[str, Scenario] = field(default_factory=dict)  # by name


# What a fixtures folder holds (README, "Fixtures"): one of them at least.
FIXTURE_PARTS = ("account.json", "tasks/", "sources/", "templates/", "scenarios/")


@dataclass
class _Folder:
    """What one fixtures folder holds, read and checked: load_fixture_set merges them."""

    account: Account | None = None
    sources: list[ResourceFixture] = field(default_factory=list)
    templates: list[ResourceFixture] = field(default_factory=list)
    tasks: list[TaskFixture] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)


# A folder's parts listed by file, in the order they are read.
_LISTED_PARTS = ("sources", "templates", "tasks", "scenarios")


# Folders read and checked, by (folder, a digest of every file's name and bytes): a process
# that builds many emulators from an unchanged folder (a pytest session's apps) checks its
# files once. What is kept is pickled, and each load gets a copy of its own, as if read afresh.
_FOLDERS_KEPT = 8
_kept_folders: dict[tuple[str, bytes], bytes] = {}


def load_fixture_set(folders: list[Path]) -> FixtureSet:
    fixture_set = FixtureSet()
    for folder in folders:
        read = _read_folder(Path(folder))
        if read.account is not None:
            fixture_set.account.merge(read.account)
        fixture_set.sources.extend(read.sources)
        fixture_set.templates.extend(read.templates)
        fixture_set.tasks.extend(read.tasks)
        for scenario in read.scenarios:
            fixture_set.scenarios[scenario.name] = scenario  # a later folder's wins
    _check_scenario_projects(fixture_set)
    return fixture_set


def _read_folder(folder: Path) -> _Folder:
    if not folder.is_dir():
        raise FixtureError(f"{folder}: not a fixtures folder")
    if not any((folder / part).exists() for part in FIXTURE_PARTS):
        # A typo'd or wrong folder would otherwise start an emulator with none of it.
        raise FixtureError(
            f"{folder}: has none of {', '.join(FIXTURE_PARTS)}: not a fixtures folder"
        )
    account_file = folder / "account.json"
    files = {
        "account": [account_file] if account_file.is_file() else [],
        **{part: sorted((folder / part).glob("*.json")) for part in _LISTED_PARTS},
    }
    contents: dict[Path, bytes | OSError] = {}
    digest = hashlib.blake2b(digest_size=20)
    for path in (path for paths in files.values() for path in paths):
        try:
            data = contents[path] = path.read_bytes()
        except OSError as exc:  # raised where the file is read in turn, as without this
            contents[path] = exc
            data = b""
        digest.update(b"%s\0%d\0" % (str(path).encode(errors="surrogateescape"), len(data)))
        digest.update(data)
    key = (str(folder.resolve()), digest.digest())
    kept = _kept_folders.get(key)
    if kept is not None:
        return pickle.loads(kept)  # bytes this process pickled itself
    read = _check_folder(files, contents)
    if not any(isinstance(data, OSError) for data in contents.values()):
        if len(_kept_folders) >= _FOLDERS_KEPT:
            _kept_folders.pop(next(iter(_kept_folders)))
        _kept_folders[key] = pickle.dumps(read, pickle.HIGHEST_PROTOCOL)
    return read


def _check_folder(files: dict[str, list[Path]], contents: dict[Path, bytes | OSError]) -> _Folder:
    read = _Folder()
    for account_file in files["account"]:
        read.account = _load_account(account_file, contents[account_file])
    for sources_file in files["sources"]:
        read.sources.extend(
            _load_resources(sources_file, contents[sources_file], "sources", SOURCE_DOCUMENT)
        )
    for templates_file in files["templates"]:
        read.templates.extend(
            _load_resources(
                templates_file, contents[templates_file], "templates", TEMPLATE_DOCUMENT
            )
        )
    for tasks_file in files["tasks"]:
        read.tasks.extend(_load_tasks(tasks_file, contents[tasks_file]))
    for scenario_file in files["scenarios"]:
        read.scenarios.append(_load_scenario(scenario_file, contents[scenario_file]))
    return read


def _read_json(path: Path, data: bytes | OSError) -> Any:
    """A fixture file's JSON, held to the limits of a request body (`core.http.parse_json`):
    what a fixture holds must be what a client could have put in. `data` is the file's bytes,
    or the error reading it gave."""
    try:
        if isinstance(data, OSError):
            raise data
        return parse_json(data)
    except UnsafeJson as exc:
        raise FixtureError(f"{path}: {exc.field}: {exc.problem}") from exc
    except (OSError, ValueError) as exc:
        raise FixtureError(f"{path}: {exc}") from exc


def _checked(schema: object, data: Any, path: Path, within: str = "") -> dict[str, Any]:
    """`data` through `schema`; FixtureError naming the file and the field (under `within`)."""
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: {within or 'body'}: expected a JSON object")
    try:
        return schema.load(data)  # type: ignore[attr-defined]
    except ValidationError as exc:
        where, problem = first_problem(exc)
        where = f"{within}.{where}" if within and where != "body" else within or where
        raise FixtureError(f"{path}: {where}: {problem}") from exc


def _load_account(path: Path, raw: bytes | OSError) -> Account:
    data = _checked(_ACCOUNT_SCHEMA, _read_json(path, raw), path)
    account = Account()
    for d in data["domains"]:
        domain = Domain(d["id"], d["name"])
        account.domains[domain.id] = domain
        for p in d["projects"]:
            project = Project(p["id"], p["name"], domain.id)
            account.projects[project.id] = project
        for u in d["users"]:
            user = User(u["id"], u["name"], u["password"], domain.id, u["admin"])
            account.users[user.id] = user
            for key in u["access_keys"]:
                account.access_keys[key["ak"]] = AccessKey(key["ak"], key["sk"], user.id)
    default = data.get("default_project")
    if default is not None:
        project = account.project_by_id_or_name(default)
        if project is None:
            raise FixtureError(f"{path}: default_project: {default!r} is not a project")
        account.default_project_id = project.id
    elif account.projects:
        account.default_project_id = next(iter(account.projects))
    return account


def _load_tasks(path: Path, raw: bytes | OSError) -> list[TaskFixture]:
    data = _checked(_TASKS_SCHEMA, _read_json(path, raw), path)
    fixtures = []
    for index, raw in enumerate(data["tasks"]):
        try:
            document, durations = load_task_document(raw)
        except ValidationError as exc:
            where, problem = first_problem(exc)
            raise FixtureError(f"{path}: tasks.{index}.{where}: {problem}") from exc
        fixtures.append(
            TaskFixture(
                data["project"],
                document,
                durations,
                f"{path.name}#{index}",
                data.get("clock", {}).get("now_ms"),
            )
        )
    return fixtures


def _load_resources(
    path: Path, raw: bytes | OSError, key: str, loader: Any
) -> list[ResourceFixture]:
    data = _read_json(path, raw)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise FixtureError(f'{path}: body: expected {{"project": ..., "{key}": [...]}}')
    project = data.get("project", "")
    if not isinstance(project, str):
        raise FixtureError(f"{path}: project: a project id or name")
    written_ms = _checked(_CLOCK_SCHEMA, data.get("clock", {}), path, "clock").get("now_ms")
    found = []
    for index, raw in enumerate(data[key]):
        try:
            found.append(ResourceFixture(project, loader.load(raw), written_ms))
        except ValidationError as exc:
            where, problem = first_problem(exc)
            raise FixtureError(f"{path}: {key}.{index}.{where}: {problem}") from exc
    return found


def _load_scenario(path: Path, raw: bytes | OSError) -> Scenario:
    try:
        return parse_scenario(path.stem, _read_json(path, raw), str(path))
    except ScenarioError as exc:
        raise FixtureError(f"{path}: {exc}") from exc


def _check_scenario_projects(fixture_set: FixtureSet) -> None:
    # Checked once every folder is in: a later folder's account.json may add the project.
    for scenario in fixture_set.scenarios.values():
        ref = scenario.project
        if ref is not None and fixture_set.account.project_by_id_or_name(ref) is None:
            raise FixtureError(f"{scenario.source}: project: no project {ref!r} in the account")
