"""Stateful contract test of the resources: source servers, templates, migration projects and
tasks, created, moved and deleted in any order over real HTTP, against a model kept here.

The model knows the service's rules (README, "Source servers, templates and migration
projects"): a source has at most one task; a task from a template makes it in use (SMS.7111) until
the task is gone; names of templates and migration projects are unique (SMS.7112, SMS.7312); the
default migration project cannot be deleted (SMS.7303), nor one that holds a source (SMS.7311); a
deleted source takes its idle task with it; what is deleted answers 404 after. Each rule predicts
its answer from the model, exact code included; after every step the lists the API answers are
the model's, and each list loads through its contract schema. Rules have preconditions, so that
writes aim at resources that exist as well as at ones just deleted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sms_mock.contracts.migprojects import MigprojectListSchema
from sms_mock.contracts.sms import TaskListSchema
from sms_mock.contracts.sources import SourceListSchema
from sms_mock.contracts.templates import TemplateListSchema
from sms_mock.control import ControlPlane
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.assertions import error_body
from tests.support.helpers import create_body

NAMES = st.sampled_from(["alpha", "beta", "gamma"])  # few, so that names collide


@dataclass
class Model:
    sources: dict[str, str] = field(default_factory=dict)  # id -> migration project id
    tasks: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> source, template
    templates: dict[str, str] = field(default_factory=dict)  # id -> name
    migprojects: dict[str, str] = field(default_factory=dict)  # id -> name
    default: str = ""

    def task_of(self, source: str) -> str | None:
        return next((t for t, (s, _) in self.tasks.items() if s == source), None)

    def in_use(self, template: str) -> bool:
        return any(used == template for _, used in self.tasks.values())


class Resources(RuleBasedStateMachine):
    live: LiveServer
    outcomes: Counter[str]

    sources = Bundle("sources")
    templates = Bundle("templates")
    migprojects = Bundle("migprojects")
    tasks = Bundle("tasks")

    def __init__(self) -> None:
        super().__init__()
        self.live.emulator.reset()
        self.control = ControlPlane(self.live.url)
        self.http = requests.Session()
        self.http.headers["X-Auth-Token"] = self.control.project_token()["token"]
        self.model = Model()
        self.serial = 0

    def teardown(self) -> None:
        self.http.close()
        self.control.close()

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        response = self.http.request(method, f"{self.live.url}{path}", json=body, timeout=10)
        assert response.status_code < 500, response.text
        return response

    def expect(self, response: requests.Response, code: str | None, status: int = 400) -> None:
        """`code` None: a success; else the exact refusal. Either way an event names it."""
        if code is None:
            assert response.status_code == 200, response.text
        else:
            error_body(response, status, code)
        outcome = f"{response.request.method} {code or 'done'}"
        self.outcomes[outcome] += 1
        event(outcome)

    def next_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial}"

    # --- the start: the fixtures as the API lists them ------------------------------------------

    @initialize()
    def read_the_fixtures(self) -> None:
        listed = self.call("GET", "/v3/migprojects").json()["migprojects"]
        self.model.migprojects = {m["id"]: m["name"] for m in listed}
        self.model.default = next(m["id"] for m in listed if m["isdefault"])
        templates = self.call("GET", "/v3/vm/templates").json()["templates"]
        self.model.templates = {t["id"]: t["name"] for t in templates}
        sources = self.call("GET", "/v3/sources").json()["source_servers"]
        self.model.sources = {s["id"]: s.get("migprojectid") or self.model.default for s in sources}
        tasks = self.call("GET", "/v3/tasks").json()["tasks"]
        self.model.tasks = {
            t["id"]: (t["source_server"]["id"], t.get("vm_template_id")) for t in tasks
        }

    # --- sources ---------------------------------------------------------------------------------

    @rule(target=sources)
    def put_source(self) -> str:
        source = self.control.put_source({"id": self.next_id("src")})["id"]
        self.model.sources[source] = self.model.default
        return source

    @rule(source=sources, migproject=migprojects)
    def move_source(self, source: str, migproject: str) -> None:
        response = self.call("PUT", f"/v3/sources/{source}", {"migprojectid": migproject})
        if source not in self.model.sources:
            self.expect(response, "SMS.7602", 404)
        elif migproject not in self.model.migprojects:
            self.expect(response, "SMS.7301", 404)
        else:
            self.expect(response, None)
            self.model.sources[source] = migproject

    @rule(source=consumes(sources))
    def delete_source(self, source: str) -> None:
        response = self.call("DELETE", f"/v3/sources/{source}")
        if source not in self.model.sources:
            self.expect(response, "SMS.7602", 404)
            return
        self.expect(response, None)  # its task, if any, is idle here: tasks are never started
        del self.model.sources[source]
        task = self.model.task_of(source)
        if task is not None:
            del self.model.tasks[task]

    # --- templates -------------------------------------------------------------------------------

    @rule(target=templates, name=NAMES)
    def create_template(self, name: str) -> str:
        body = {"template": {"name": name, "region": "cn-north-4", "projectid": "x"}}
        response = self.call("POST", "/v3/vm/templates", body)
        if name in self.model.templates.values():
            self.expect(response, "SMS.7112")
            return "absent-template"
        self.expect(response, None)
        template = response.json()["id"]
        self.model.templates[template] = name
        return template

    @rule(template=consumes(templates))
    def delete_template(self, template: str) -> None:
        response = self.call("DELETE", f"/v3/vm/templates/{template}")
        if template not in self.model.templates:
            self.expect(response, "SMS.7101", 404)
        elif self.model.in_use(template):
            self.expect(response, "SMS.7111")
        else:
            self.expect(response, None)
            del self.model.templates[template]

    # --- migration projects ----------------------------------------------------------------------

    @rule(target=migprojects, name=NAMES)
    def create_migproject(self, name: str) -> str:
        body = {"name": name, "region": "cn-north-4", "type": "MIGRATE_FILE"}
        response = self.call("POST", "/v3/migprojects", body)
        if name in self.model.migprojects.values():
            self.expect(response, "SMS.7312")
            return "absent-migproject"
        self.expect(response, None)
        migproject = response.json()["id"]
        self.model.migprojects[migproject] = name
        return migproject

    @rule(migproject=migprojects)
    def make_default(self, migproject: str) -> None:
        response = self.call("PUT", f"/v3/migprojects/{migproject}/default", {})
        if migproject not in self.model.migprojects:
            self.expect(response, "SMS.7301", 404)
        else:
            self.expect(response, None)
            self.model.default = migproject

    @rule(migproject=migprojects)
    def delete_migproject(self, migproject: str) -> None:
        response = self.call("DELETE", f"/v3/migprojects/{migproject}")
        if migproject not in self.model.migprojects:
            self.expect(response, "SMS.7301", 404)
        elif migproject == self.model.default:
            self.expect(response, "SMS.7303")
        elif migproject in self.model.sources.values():
            self.expect(response, "SMS.7311")
        else:
            self.expect(response, None)
            del self.model.migprojects[migproject]

    # --- tasks -----------------------------------------------------------------------------------

    @precondition(lambda self: bool(self.model.sources))
    @rule(target=tasks, data=st.data())
    def create_task(self, data: st.DataObject) -> str:
        source = data.draw(st.sampled_from(sorted(self.model.sources)), label="source")
        template = data.draw(st.none() | st.sampled_from(sorted(self.model.templates) or [""]))
        overrides = {"vm_template_id": template} if template else {}
        response = self.call("POST", "/v3/tasks", create_body(source, **overrides))
        if self.model.task_of(source) is not None:
            self.expect(response, "SMS.6005")
            return "absent-task"
        self.expect(response, None)
        task = response.json()["id"]
        self.model.tasks[task] = (source, template or None)
        return task

    @rule(task=consumes(tasks))
    def delete_task(self, task: str) -> None:
        response = self.call("DELETE", f"/v3/tasks/{task}")
        if task not in self.model.tasks:
            self.expect(response, "SMS.7703", 404)
        else:
            self.expect(response, None)
            del self.model.tasks[task]

    # --- what the API lists is the model ---------------------------------------------------------

    @invariant()
    def the_lists_are_the_model(self) -> None:
        if not self.model.default:
            return  # before the fixtures are read
        sources = SourceListSchema().load(self.call("GET", "/v3/sources?limit=200").json())
        assert {s["id"] for s in sources["source_servers"]} == set(self.model.sources)
        templates = TemplateListSchema().load(self.call("GET", "/v3/vm/templates").json())
        assert {t["id"] for t in templates["templates"]} == set(self.model.templates)
        migprojects = MigprojectListSchema().load(self.call("GET", "/v3/migprojects").json())
        assert {m["id"] for m in migprojects["migprojects"]} == set(self.model.migprojects)
        assert [m["id"] for m in migprojects["migprojects"] if m["isdefault"]] == [
            self.model.default
        ]
        tasks = TaskListSchema().load(self.call("GET", "/v3/tasks?limit=200").json())
        assert {t["id"] for t in tasks["tasks"]} == set(self.model.tasks)
        assert tasks["count"] == len(self.model.tasks)


@pytest.fixture
def machine(_live_server: LiveServer) -> type[Resources]:
    Resources.live = _live_server
    Resources.outcomes = Counter()
    return Resources


def test_any_sequence_of_resource_writes_keeps_the_api_and_the_model_alike(
    machine: type[Resources],
) -> None:
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=settings.default.max_examples, stateful_step_count=20, deadline=None
        ),
    )
    # Every kind of write took its success path at least once.
    done = {"POST done", "PUT done", "DELETE done"}
    assert done <= set(machine.outcomes), dict(machine.outcomes)
