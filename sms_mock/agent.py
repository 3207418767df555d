"""A stand-in SMS agent, for tests of code that watches a migration an agent drives.

`AgentDriver` plays the agent of one source server over the public API: it asks for its
command, reports sub-task progress and answers commands, as the real agent does. The task moves
only by these reports when its source is agent-driven (`POST /_mock/sources` with
`"agent_driven": true`); README's "Speed limits" section describes the agent's calls.
"""

from __future__ import annotations

from typing import Any

import requests

FINISHED = ("TASK_HAS_FINISHED", "TASK_HAS_STOPPED")


class AgentDriver:
    def __init__(self, url: str, source_id: str, token: str, timeout: float = 10) -> None:
        self.url, self.source_id, self.timeout = url, source_id, timeout
        self._http = requests.Session()
        self._http.headers["X-Auth-Token"] = token

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self._http.request(method, f"{self.url}{path}", json=body, timeout=self.timeout)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    def command(self) -> dict[str, Any]:
        """GET /v3/sources/{id}/command: what the agent should do next."""
        return self._call("GET", f"/v3/sources/{self.source_id}/command")

    def report(self, task_id: str, subtask: str, progress: int, trace: str = "") -> None:
        """PUT /v3/tasks/{id}/progress for the running sub-task."""
        body = {"subtask_name": subtask, "progress": progress, "replicatesize": 0,
                "totalsize": 0, "process_trace": trace}  # fmt: skip
        self._call("PUT", f"/v3/tasks/{task_id}/progress", body)

    def result(self, command: str, result: str = "success", detail: dict | None = None) -> None:
        """POST /v3/sources/{id}/command_result: the agent's answer to a command."""
        body = {"command_name": command, "result": result, "result_detail": detail or {}}
        self._call("POST", f"/v3/sources/{self.source_id}/command_result", body)

    def step(self) -> str:
        """One round of the agent's loop: do what the command says; the command's name.

        START: finish the running sub-task (a report of 50, then of 100). STOP: answer it.
        """
        command = self.command()
        name = command["command_name"]
        task_id = command["command_param"]["task_id"]
        if name == "START":
            task = self._call("GET", f"/v3/tasks/{task_id}")
            running = [s for s in task.get("sub_tasks") or [] if s.get("end_date") is None]
            if running:
                for progress in (50, 100):
                    self.report(task_id, running[0]["name"], progress, f"{progress}% done")
        elif name == "STOP":
            self.result("STOP")
        return name

    def run(self, max_steps: int = 100) -> str:
        """Play the agent until its task has finished or stopped; the last command's name."""
        for _ in range(max_steps):
            name = self.step()
            if name in FINISHED or name == "TASK_NOT_STARTED":
                return name
        raise AssertionError(f"the task of {self.source_id} did not finish in {max_steps} steps")

    def close(self) -> None:
        self._http.close()
