"""The writes of a full run: what a migration needs, made, driven through its lifecycle and
deleted, in the project the user named.

A migration project; two sources registered as an agent registers them; two templates; a task
made from the first source and template, with every setting of a task written and read back,
then started, paused, restarted and, where the lifecycle allows, synchronised and tested; a
second task; temporary credentials. What was made is deleted at the end, in the reverse order,
even after a failure (a running task is paused first): the deletes are the delete operations'
requests. A step that cannot be taken (its prerequisite was refused) marks its operations not
reached, with the reason.

Against the emulator, when its control plane answers (`/_mock/health`), waits move its clock
instead of waiting on it; elsewhere a wait polls the task on the wall clock, for at most
`Options.wait_seconds`, and what the lifecycle could not reach in that time is said in the
report.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from sms_mock.conformance import bodies, reads
from sms_mock.conformance.caller import NO_BODY, Answer, objects
from sms_mock.conformance.context import Context
from sms_mock.control import ControlError, ControlPlane

# A task in these states cannot be deleted (SMS.7719) and moves by itself.
ACTIVE_STATES = frozenset({"RUNNING", "SYNCING", "ABORTING", "SYNC_F_ROLLBACKING"})
STOPPABLE_STATES = frozenset({"RUNNING", "SYNCING"})
POLL_SECONDS = 0.5
CLOCK_STEP_SECONDS = 600  # a default REPLICATE takes about 3 minutes of clock
MAX_CLOCK_STEPS = 12
MADE = "the run made"


class Blocked(Exception):
    """A step cannot go on: its prerequisite was refused."""


@dataclass
class Undo:
    label: str
    action: Callable[[], Any]


def _created_id(answer: Answer, what: str) -> str:
    made = answer.text("id")
    if not answer.ok or made is None:
        raise Blocked(f"{what} answered {answer.status if answer.status else 'nothing'}")
    return made


class StatefulRun:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.prefix = f"sms-mock-conform-{secrets.token_hex(3)}"
        self.undo: list[Undo] = []
        self.made: dict[str, str] = {}
        self.control: ControlPlane | None = None
        self.clock_moves = 0
        self.journey: list[str] = []  # the states the first task went through

    # --- helpers --------------------------------------------------------------------------------

    def call(self, operation_id: str, path: dict[str, str] | None = None, **kw: Any) -> Answer:
        return self.ctx.call(operation_id, path, **kw)

    def _find_control(self) -> None:
        control = ControlPlane(
            self.ctx.caller.url, admin_token=self.ctx.options.admin_token, timeout=5
        )
        try:
            health = control.health()
        except (ControlError, requests.RequestException, ValueError) as exc:
            control.close()
            why = exc.status if isinstance(exc, ControlError) else type(exc).__name__
            self.ctx.report.notes.append(
                f"no emulator control plane ({why}): waits polled the task on the wall clock"
            )
            return
        if isinstance(health, dict) and health.get("status") == "ok":
            self.control = control
        else:
            control.close()

    def _advance(self, seconds: float) -> bool:
        if self.control is None:
            return False
        try:
            self.control.advance(seconds)
        except (ControlError, requests.RequestException):
            self.control.close()
            self.control = None
            return False
        self.clock_moves += 1
        return True

    def _state(self, task_id: str, purpose: str) -> str | None:
        answer = self.call("show_task", {"task_id": task_id}, purpose=purpose)
        state = answer.text("state")
        first_task = task_id == self.made.get("task")
        if state is not None and first_task and self.journey[-1:] != [state]:
            self.journey.append(state)
        return state

    def _wait(self, task_id: str, done: Callable[[str], bool], what: str) -> str | None:
        """Read the task until `done(state)`: the clock moved between reads when it can be,
        else the wall clock waited on, for at most `wait_seconds`."""
        deadline = time.monotonic() + self.ctx.options.wait_seconds
        moves = 0
        while True:
            state = self._state(task_id, f"wait for {what}")
            if state is None or done(state):
                return state
            if moves < MAX_CLOCK_STEPS and self._advance(CLOCK_STEP_SECONDS):
                moves += 1
            elif time.monotonic() >= deadline:
                return state
            else:
                time.sleep(POLL_SECONDS)

    def _action(self, task_id: str, operation: str, purpose: str) -> bool:
        answer = self.call(
            "update_task_status", {"task_id": task_id}, purpose=purpose,
            body={"operation": operation},
        )  # fmt: skip
        return answer.ok

    def _at_the_end(
        self,
        label: str,
        operation_id: str,
        path: dict[str, str] | None = None,
        *,
        purpose: str,
        body: Any = NO_BODY,
    ) -> None:
        """A delete to send when the run ends, whatever happens before."""
        self.undo.append(
            Undo(label, lambda: self.call(operation_id, path, purpose=purpose, body=body))
        )

    def _forget(self, label: str) -> None:
        self.undo = [undo for undo in self.undo if undo.label != label]

    # --- the steps ------------------------------------------------------------------------------

    def privacy(self) -> None:
        self.call("create_privacy_agreements", purpose="agree to the privacy statement")

    def migproject(self) -> None:
        ctx = self.ctx
        name = f"{self.prefix}-mp"
        made = self.call(
            "create_migproject", purpose="a migration project of the run's own",
            body=bodies.create_migproject(name, ctx.region),
        )  # fmt: skip
        mp = self.made["migproject"] = _created_id(made, "create_migproject")
        ctx.found("mig_project_id", mp, origin=MADE)
        self._at_the_end(
            "migproject", "delete_migproject", {"mig_project_id": mp},
            purpose="delete the run's migration project",
        )  # fmt: skip
        self.call("show_migproject", {"mig_project_id": mp}, purpose="the one just made")
        self.call(
            "update_migproject", {"mig_project_id": mp}, purpose="change its description",
            body={"description": "Changed by sms-mock conform."},
        )  # fmt: skip
        listed = ctx.answers.get("list_migprojects") or {}
        defaults = [
            m["id"] for m in objects(listed.get("migprojects"))
            if m.get("isdefault") is True and isinstance(m.get("id"), str)
        ]  # fmt: skip
        if not defaults:
            ctx.report.not_reached(
                "update_default_migproject",
                "no default migration project was listed to give the flag back to",
            )
            return
        old = defaults[0]
        moved = self.call(
            "update_default_migproject", {"mig_project_id": mp},
            purpose="make the run's migration project the default",
        )  # fmt: skip
        if not moved.ok:
            return
        # Given back at once; at the end again only if this was refused.
        self._at_the_end(
            "default", "update_default_migproject", {"mig_project_id": old},
            purpose="give the default back to the one that had it",
        )  # fmt: skip
        if self.undo[-1].action().ok:
            self._forget("default")

    def sources(self) -> None:
        ctx = self.ctx
        made = self.call(
            "register_server", purpose="the agent registers a source",
            body=bodies.register_source(f"{self.prefix}-src-1", "192.0.2.10"),
        )  # fmt: skip
        first = self.made["source"] = _created_id(made, "register_server")
        ctx.found("source_id", first, origin=MADE)
        ctx.found("server_id", first, origin=MADE)
        self._at_the_end(
            "source", "delete_server", {"source_id": first},
            purpose="delete the run's first source",
        )  # fmt: skip
        made = self.call(
            "register_server", purpose="a second agent registers its source",
            body=bodies.register_source(f"{self.prefix}-src-2", "192.0.2.11"),
        )  # fmt: skip
        second = self.made["source2"] = _created_id(made, "the second register_server")
        self._at_the_end(
            "source2", "delete_servers", purpose="delete the run's second source",
            body={"ids": [second]},
        )  # fmt: skip
        source = {"source_id": first}
        self.call("show_server", source, purpose="the source just registered")
        self.call(
            "update_server_name", source, purpose="rename it",
            body={"name": f"{self.prefix}-src-1-renamed"},
        )  # fmt: skip
        if "migproject" in self.made:
            self.call(
                "update_server_name", {"source_id": second},
                purpose="move the second source to the run's migration project",
                body={"migprojectid": self.made["migproject"]},
            )  # fmt: skip
        self.call(
            "update_copy_state", source, purpose="set its state and cycle",
            body=bodies.copy_state(),
        )  # fmt: skip
        self.call(
            "update_disk_info", source, purpose="the agent's disks again",
            body=bodies.disk_info(),
        )  # fmt: skip

    def templates(self) -> None:
        ctx = self.ctx
        made = self.call(
            "create_template", purpose="a template of the run's own",
            body=bodies.create_template(f"{self.prefix}-tpl-1", ctx.region, ctx.project_id or ""),
        )  # fmt: skip
        first = self.made["template"] = _created_id(made, "create_template")
        ctx.found("id", first, origin=MADE)
        self._at_the_end(
            "template", "delete_template", {"id": first},
            purpose="delete the run's first template",
        )  # fmt: skip
        made = self.call(
            "create_template", purpose="a second template",
            body=bodies.create_template(f"{self.prefix}-tpl-2", ctx.region, ctx.project_id or ""),
        )  # fmt: skip
        second = _created_id(made, "the second create_template")
        self._at_the_end(
            "template2", "delete_templates", purpose="delete the run's second template",
            body={"ids": [second]},
        )  # fmt: skip
        shown = self.call("show_template", {"id": first}, purpose="the template just made")
        subnets = (nic.get("id") for nic in objects(shown.get("template", "nics")))
        ctx.found("t_network_id", *subnets, origin="from the run's template")
        self.call("show_target_password", {"id": first}, purpose="the template just made")
        self.call(
            "update_template", {"id": first}, purpose="change its target server's name",
            body={"template": {"target_server_name": f"{self.prefix}-target"}},
        )  # fmt: skip

    def task(self) -> None:
        ctx = self.ctx
        source = self.made.get("source")
        if source is None:
            raise Blocked("no source to migrate: the registration was refused")
        made = self.call(
            "create_task", purpose="a task of the run's source and template",
            body=bodies.create_task(
                f"{self.prefix}-task-1", source, self.made.get("template"), ctx.region,
                ctx.project, ctx.project_id or "",
            ),
        )  # fmt: skip
        task = self.made["task"] = _created_id(made, "create_task")
        ctx.found("task_id", task, origin=MADE)
        self.undo.append(Undo("task", lambda: self._delete_task(task)))
        path = {"task_id": task}
        self._state(task, "the task just made")
        self.call(
            "update_task", path, purpose="rename it and change its priority",
            body={"name": f"{self.prefix}-task-1-renamed", "priority": 2},
        )  # fmt: skip
        self.call("shows_speed_limits", path, purpose="its speed limits (none yet)")
        self.call("update_speed", path, purpose="a window of 100 Mbit/s",
                  body=bodies.speed_limits())  # fmt: skip
        self.call("shows_speed_limits", path, purpose="the window just set")
        self.call("show_config_setting", path, purpose="its settings (none yet)")
        self.call(
            "upload_special_configuration_setting", path, purpose="one setting",
            body=bodies.configurations(),
        )  # fmt: skip
        self.call("show_config_setting", path, purpose="the setting just made")
        self.call("show_passphrase", path, purpose="the new task's")
        self.call("show_cert_key", path, purpose="the new task's")
        self.call(
            "update_consistency_result", path, purpose="the agent's consistency check",
            body=bodies.consistency_result(),
        )  # fmt: skip
        self.call("show_consistency_result", path, purpose="the check just recorded")
        self.call(
            "export_consistency_results", purpose="export the check",
            body={"task_info": [{"task_id": task}]},
        )  # fmt: skip
        self.call(
            "update_network_check_info", path, purpose="the agent's network check",
            body=bodies.network_check_info(),
        )  # fmt: skip
        self.call("collect_log", path, purpose="ask for the task's logs (no body, as the SDK)")
        self.call("unlock_target_ecs", path, purpose="unlock its target (no body, as the SDK)")

    def lifecycle(self) -> None:
        task, source = self.made.get("task"), self.made.get("source")
        if task is None or source is None:
            raise Blocked("no task to drive: create_task was refused")
        if not self._action(task, "start", "start the task"):
            raise Blocked("the task's start was refused")
        state = self._state(task, "the task after its start")
        self._agent_reports(task, source)
        if state in STOPPABLE_STATES:
            self._action(task, "stop", "pause the running task")
            state = self._wait(task, lambda s: s not in ACTIVE_STATES, "the pause (ABORT)")
        if state == "ABORT" and self._action(task, "restart", "restart the paused task"):
            self._synchronise(task)

    def _agent_reports(self, task: str, source: str) -> None:
        """What the source's agent sends while its task runs."""
        command = self.call(
            "show_command", {"server_id": source}, purpose="the agent asks what to do"
        )
        answer = self.call("show_task", {"task_id": task}, purpose="its running sub-task")
        running = [
            s["name"] for s in objects(answer.get("sub_tasks"))
            if s.get("end_date") is None and isinstance(s.get("name"), str)
        ]  # fmt: skip
        if running:
            self.call(
                "update_task_speed", {"task_id": task},
                purpose=f"the agent reports {running[0]} at 10%",
                body=bodies.progress_report(running[0], 10),
            )  # fmt: skip
        else:
            self.ctx.report.not_reached("update_task_speed", "the task had no running sub-task")
        name = (command.text("command_name") if command.ok else None) or "START"
        self.call(
            "update_command_result", {"server_id": source},
            purpose=f"the agent answers {name}", body=bodies.command_result(name),
        )  # fmt: skip

    def _synchronise(self, task: str) -> None:
        """Replication to its end, then a synchronisation and a test, where time allows."""
        state = self._wait(task, lambda s: s not in ACTIVE_STATES, "the replication's end")
        if state != "MIGRATE_SUCCESS":
            self.ctx.report.notes.append(
                f"the task was {state} when the run stopped waiting for MIGRATE_SUCCESS: its "
                "synchronisation and test were not tried"
            )
            return
        if self._action(task, "start", "synchronise the migrated task"):
            self._wait(task, lambda s: s not in ACTIVE_STATES, "the synchronisation's end")
        state = self.journey[-1] if self.journey else None
        if state in ("MIGRATE_SUCCESS", "SYNC_SUCCESS") and self._action(
            task, "test", "launch a test of the target"
        ):
            self._wait(task, lambda s: s not in ACTIVE_STATES, "the test's end")

    def second_task(self) -> None:
        source = self.made.get("source2")
        if source is None:
            raise Blocked("no second source: its registration was refused")
        made = self.call(
            "create_task", purpose="a second task, made to be deleted with others",
            body=bodies.create_task(
                f"{self.prefix}-task-2", source, None, self.ctx.region, self.ctx.project,
                self.ctx.project_id or "",
            ),
        )  # fmt: skip
        task = _created_id(made, "the second create_task")
        self._at_the_end(
            "task2", "delete_tasks", purpose="delete the second task", body={"ids": [task]}
        )

    def credential(self) -> None:
        if self.ctx.token is None:
            raise Blocked("it takes a token, and the run holds none (AK/SK credentials)")
        self.call(
            "create_temporary_access_key_by_token", purpose="temporary AK/SK for 15 minutes",
            body=bodies.temporary_credential(self.ctx.token),
        )  # fmt: skip

    def catch_up(self) -> None:
        """Each read not reached yet, now that the run has made something to read."""
        for op in reads.safe_operations(self.ctx):
            result = self.ctx.report.operations[op.operation_id]
            if (not result.reached or result.only_probed) and reads.parameters(op):
                result.not_reached = None
                reads.read_show(self.ctx, op, count=1)

    # --- the end --------------------------------------------------------------------------------

    def _delete_task(self, task: str) -> None:
        state = self._state(task, "its state before the delete")
        if state in STOPPABLE_STATES:
            self._action(task, "stop", "pause it before the delete")
        if state in ACTIVE_STATES:
            self._wait(task, lambda s: s not in ACTIVE_STATES, "a state that allows the delete")
        self.call("delete_task", {"task_id": task}, purpose="delete the run's task")

    def clean_up(self) -> None:
        left: list[str] = []
        for undo in reversed(self.undo):
            try:
                answer = undo.action()
            except Exception as exc:  # a clean-up goes on whatever one step meets
                left.append(f"{undo.label} ({type(exc).__name__})")
                continue
            if isinstance(answer, Answer) and not answer.ok:
                left.append(f"{undo.label} ({answer.status})")
        self.undo = []
        if left:
            self.ctx.report.notes.append(
                f"clean-up: these were refused and may be left in {self.ctx.project}: "
                + ", ".join(left)
            )

    # (step, the operations it sends): a blocked step marks those not reached.
    STEPS: tuple[tuple[Callable[[StatefulRun], None], tuple[str, ...]], ...] = (
        (privacy, ("create_privacy_agreements",)),
        (migproject, ("create_migproject", "update_migproject", "update_default_migproject",
                      "delete_migproject")),
        (sources, ("register_server", "update_server_name", "update_copy_state",
                   "update_disk_info", "delete_server", "delete_servers")),
        (templates, ("create_template", "update_template", "delete_template",
                     "delete_templates")),
        (task, ("create_task", "update_task", "update_speed",
                "upload_special_configuration_setting", "update_consistency_result",
                "export_consistency_results", "update_network_check_info", "collect_log",
                "unlock_target_ecs", "delete_task")),
        (lifecycle, ("update_task_status", "update_task_speed", "update_command_result")),
        (second_task, ("delete_tasks",)),
        (credential, ("create_temporary_access_key_by_token",)),
        (catch_up, ()),
    )  # fmt: skip

    def run(self) -> None:
        self._find_control()
        try:
            for step, operations in self.STEPS:
                try:
                    step(self)
                except Blocked as blocked:
                    for operation_id in operations:
                        self.ctx.report.not_reached(operation_id, str(blocked))
        finally:
            self.clean_up()
            notes = self.ctx.report.notes
            if self.journey:
                notes.append(f"the run's task went {' → '.join(self.journey)}")
            if self.control is not None:
                notes.append(
                    f"the emulator's control plane moved its clock {self.clock_moves} times"
                )
                self.control.close()


def run(ctx: Context) -> None:
    StatefulRun(ctx).run()
