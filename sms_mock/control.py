"""A client of the emulator's control plane (`/_mock`), shared by the command line and the
pytest plugin: one method a call, the answer's JSON as the emulator wrote it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

ADMIN_HEADER = "X-Mock-Admin-Token"


@dataclass
class ControlError(Exception):
    """The control plane answered an error: its status, code (`MOCK.xxxx`; an `SMS.` code for
    a call that reached the API) and message."""

    method: str
    route: str
    status: int
    code: str | None
    message: str

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        return f"{self.method} /_mock{self.route}: {self.status}{code}: {self.message}"


class ControlPlane:
    """`ControlPlane("http://127.0.0.1:8080", admin_token=None)`; a context manager."""

    def __init__(
        self,
        url: str,
        *,
        admin_token: str | None = None,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._http = session or requests.Session()
        if admin_token:
            self._http.headers[ADMIN_HEADER] = admin_token

    def __enter__(self) -> ControlPlane:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, route: str, body: Any = None, /, **params: Any) -> Any:
        """One control-plane call; its JSON answer, or ControlError."""
        query = {k: v for k, v in params.items() if v is not None}
        response = self._http.request(
            method,
            f"{self.url}/_mock{route}",
            json=body,
            params=query or None,
            # Every control-plane POST says JSON, a bodiless one too (README, "Off loopback").
            headers={"Content-Type": "application/json"} if method == "POST" else None,
            timeout=self.timeout,
        )
        if response.status_code >= 400:
            try:
                answer = response.json()
            except ValueError:
                answer = {}
            raise ControlError(
                method,
                route,
                response.status_code,
                answer.get("error_code"),
                answer.get("error_msg") or response.text[:200],
            )
        return response.json()

    # --- the clock and the whole state -----------------------------------------------------------

    def health(self) -> Any:
        return self.call("GET", "/health")

    def reset(self) -> Any:
        return self.call("POST", "/reset")

    def clock(self) -> Any:
        return self.call("GET", "/clock")

    def advance(self, seconds: float) -> Any:
        return self.call("POST", "/clock/advance", {"seconds": seconds})

    def set_speed(self, speed: float) -> Any:
        return self.call("POST", "/clock/speed", {"speed": speed})

    def snapshot(self) -> Any:
        return self.call("GET", "/snapshot")

    def restore(self, snapshot: Any) -> Any:
        return self.call("POST", "/snapshot", snapshot)

    # --- what is put in -------------------------------------------------------------------------

    def put_task(self, doc: dict[str, Any], project: str | None = None) -> Any:
        return self.call("POST", "/tasks", doc, project=project)

    def put_source(self, doc: dict[str, Any], project: str | None = None) -> Any:
        return self.call("POST", "/sources", doc, project=project)

    def put_template(self, doc: dict[str, Any], project: str | None = None) -> Any:
        return self.call("POST", "/templates", doc, project=project)

    def scenarios(self) -> Any:
        return self.call("GET", "/scenarios")

    def load_scenario(self, name: str, project: str | None = None) -> Any:
        return self.call("POST", f"/scenarios/{name}", None, project=project)

    # --- faults and the journal -----------------------------------------------------------------

    def add_fault(self, spec: dict[str, Any], project: str | None = None) -> Any:
        return self.call("POST", "/faults", spec, project=project)

    def faults(self) -> Any:
        return self.call("GET", "/faults")

    def clear_faults(self) -> Any:
        return self.call("DELETE", "/faults")

    def delete_fault(self, fault_id: str) -> Any:
        return self.call("DELETE", f"/faults/{fault_id}")

    def journal(self, **filters: Any) -> Any:
        """`{"requests": [...]}`, oldest first; filters: method, path (a glob), status, since."""
        return self.call("GET", "/requests", **filters)

    # --- every project's resources --------------------------------------------------------------

    def every_task(self) -> Any:
        """`{"tasks": [{"project_id", "task"}]}`: every task of every project."""
        return self.call("GET", "/tasks")

    def every_source(self) -> Any:
        return self.call("GET", "/sources")

    def every_template(self) -> Any:
        return self.call("GET", "/templates")

    def clear_journal(self) -> Any:
        return self.call("DELETE", "/requests")

    # --- for a tool that drives the public API ----------------------------------------------------

    def project_token(self, project: str | None = None) -> Any:
        """`{"token", "expires_at", "project_id", "project_name", "user"}`: an IAM token of
        the project (the default one without it), as its account's administrator."""
        return self.call("POST", "/tokens", {} if project is None else {"project": project})

    def lifecycle(self) -> Any:
        """`{"operations": [{"operation", "allowed_states", "effect"}], "undeletable_states"}`."""
        return self.call("GET", "/lifecycle")
