"""The dashboard's pages: `GET /_mock/ui` (every project's tasks), a task's page, and the HTML
parts the pages poll for while the clock runs.

The pages only read. What they change, they change from the browser through the control plane
and the public API (`static/dashboard.js`), so everything they send meets the same contracts
and the same lifecycle as any client's requests.

The admin rule is the control plane's (`gateway/admin.py`). Without the token a page answers
401 with a form that asks for it once; the form's POST sets a cookie scoped to `/_mock` that is
derived from the token (never the token itself) and expires after `COOKIE_LIFETIME_S`. Wrong
tokens in the form count against the same limit as the header's (429 while an address waits).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from sms_mock import __version__
from sms_mock.contracts import error_codes as codes
from sms_mock.contracts.enums import SubtaskName, TaskState
from sms_mock.mock_server.control.errors import task_not_found
from sms_mock.mock_server.control.fault_names import with_task_names
from sms_mock.mock_server.core.clock import iso_ms, reading
from sms_mock.mock_server.core.errors import ApiError
from sms_mock.mock_server.core.http import emulator, json_response, request_id
from sms_mock.mock_server.dashboard.views import (
    TaskView,
    duration_text,
    readable_error,
    task_view,
    timeline,
)
from sms_mock.mock_server.emulator import Emulator, UnknownProject
from sms_mock.mock_server.gateway.admin import (
    ADMIN_COOKIE,
    CONTROL,
    COOKIE_LIFETIME_S,
    EXTENSION_KEY,
    AdminGate,
    TooManyGuesses,
)
from sms_mock.mock_server.sms.backend import TaskPage

blueprint = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/_mock/ui",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

JOURNAL_SHOWN = 50  # the newest requests the page lists
TASKS_A_PAGE = 100  # the overview's page of tasks: a refresh costs a page, not every task
MAX_PAGE = 1_000_000
SOURCES_SHOWN = 100  # the first sources the overview lists; GET /v3/sources pages them all
PAGE_HEADERS = {
    # Everything the page needs is the emulator's own: no other origin may be asked for.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
}


# Every duration the pages print goes through the one function (`{{ ms|duration }}`).
blueprint.add_app_template_filter(duration_text, "duration")


@blueprint.context_processor
def _server_facts() -> dict[str, Any]:
    """What every page's frame needs: whether there is an admin token to forget."""
    return {"has_admin_token": bool(_gate().token)}


def _page(template: str, status: int = 200, **context: Any) -> Response:
    html = render_template(template, version=__version__, **context)
    return Response(html, status=status, mimetype="text/html", headers=PAGE_HEADERS)


def _gate() -> AdminGate:
    return current_app.extensions[EXTENSION_KEY]


def _refusal() -> ApiError | None:
    return _gate().refusal(request.environ)


def _login(refusal: ApiError | None = None, message: str = "") -> Response:
    """The sign-in form: 401, or 429 with `Retry-After` while this address waits."""
    if isinstance(refusal, TooManyGuesses):
        message = f"Too many wrong admin tokens: try again in {refusal.wait_s} s."
        response = _page("dashboard/login.html", 429, message=message, title="Sign in")
        response.headers.update(refusal.headers())
        return response
    return _page("dashboard/login.html", 401, message=message, title="Sign in")


def _refused_part(refusal: ApiError) -> Response:
    """A live part's refusal, in the control plane's JSON."""
    return json_response(refusal.body(request_id()), refusal.status, dict(refusal.headers()))


# --- what the pages show ------------------------------------------------------------------------


def _project_names(em: Emulator) -> dict[str, str]:
    return {p.id: p.name for p in em.iam.account.projects.values()}


def _filters(em: Emulator) -> tuple[dict[str, str], str]:
    """The overview's `?state=`, `?project=` (an id or a name) and `?page=` (from 1), or what
    is wrong with them."""
    state = request.args.get("state", "")
    project = request.args.get("project", "")
    page = request.args.get("page", "")
    if state and state not in TaskState.__members__:
        return {}, f"There is no task state {state!r}."
    if page and not (page.isascii() and page.isdigit() and 1 <= int(page) <= MAX_PAGE):
        return {}, f"There is no page {page!r}: pages are numbered from 1 to {MAX_PAGE}."
    project_id = ""
    if project:
        try:
            project_id, _ = em.project_ref(project)
        except UnknownProject:
            return {}, f"There is no project {project!r}."
    return {"state": state, "project": project_id, "page": page}, ""


def _overview_parts(em: Emulator, filters: dict[str, str]) -> dict[str, Any]:
    """What the overview shows: one page of tasks (TASKS_A_PAGE, from the list indexes, so a
    refresh costs the page and not every task) and the first SOURCES_SHOWN sources."""
    names = _project_names(em)
    wanted = int(filters.get("page") or 1)
    found = em.sms.task_page(names, filters, (wanted - 1) * TASKS_A_PAGE, TASKS_A_PAGE)
    glances = em.sms.glance((pid, str(task.get("id"))) for pid, task in found.tasks)
    by_project: dict[str, list[TaskView]] = {}
    for pid, task in found.tasks:
        glance = glances.get((pid, str(task.get("id"))))
        view = task_view(pid, names.get(pid, pid), task, glance.live if glance else None)
        by_project.setdefault(view.project_name, []).append(view)
    sources: dict[str, list[dict[str, Any]]] = {}
    first_sources = em.sms.source_page(filters.get("project", ""), SOURCES_SHOWN)
    for pid, source in first_sources.sources:
        sources.setdefault(names.get(pid, pid), []).append(source)
    return {
        "clock": reading(em.clock),
        "by_project": by_project,
        "paging": _paging(found, filters),
        "sources": {name: sources[name] for name in sorted(sources)},
        "source_count": first_sources.matched,
        "faults": _faults(em),
        "journal": _journal(em),
        "filters": filters,
    }


@dataclass(frozen=True)
class Paging:
    """Where the overview's page of tasks sits: its rows are the `first`-th to the `last`-th
    (from 1; 0 and 0 when none) of the `matched` the filters keep, of `total` tasks."""

    page: int
    pages: int
    first: int
    last: int
    matched: int
    total: int
    previous_url: str
    next_url: str


def _paging(found: TaskPage, filters: dict[str, str]) -> Paging:
    page = found.offset // TASKS_A_PAGE + 1
    pages = max(1, -(-found.matched // TASKS_A_PAGE))
    kept = {k: v for k, v in filters.items() if v and k != "page"}

    def link(to: int) -> str:
        return url_for(".overview", **kept, **({"page": to} if to > 1 else {}))

    return Paging(
        page=page,
        pages=pages,
        first=found.offset + 1 if found.tasks else 0,
        last=found.offset + len(found.tasks),
        matched=found.matched,
        total=found.total,
        previous_url=link(page - 1) if page > 1 else "",
        next_url=link(page + 1) if page < pages else "",
    )


def _faults(em: Emulator, project_id: str = "", task_id: str = "") -> list[dict[str, Any]]:
    """Every fault (or a task's own task faults), each naming its task."""
    if task_id:
        every = [f.to_json() for f in em.faults.all() if f.task_id == task_id]
        every = [f for f in every if f["project_id"] in ("", project_id)]
    else:
        every = [fault.to_json() for fault in [*em.faults.all(), *em.http_faults.all()]]
    return with_task_names(em, every)


def _journal(em: Emulator) -> list[dict[str, Any]]:
    entries = em.journal.query()[-JOURNAL_SHOWN:]
    return [e | {"when": iso_ms(e["clock_ms"])} for e in reversed(entries)]


def _render_parts(template_names: dict[str, str], context: dict[str, Any]) -> Response:
    """The pages' live parts, each rendered as the first page had it, as one JSON object."""
    body = {
        part: render_template(f"dashboard/parts/{name}.html", **context)
        for part, name in template_names.items()
    }
    return json_response(body, headers={"Cache-Control": "no-store"})


OVERVIEW_PARTS = {"clock": "clock", "tasks": "tasks", "faults": "faults", "journal": "journal"}
TASK_PARTS = {"clock": "clock", "task": "task", "faults": "faults"}


def _task_context(em: Emulator, project_id: str, task_id: str) -> dict[str, Any] | None:
    names = _project_names(em)
    if project_id not in names:
        return None
    try:
        task = json.loads(em.sms.show(project_id, task_id))
    except ApiError:
        return None
    glance = em.sms.glance([(project_id, task_id)]).get((project_id, task_id))
    view = task_view(project_id, names[project_id], task, glance.live if glance else None)
    own_subtasks = list(dict.fromkeys(str(s.get("name")) for s in task.get("sub_tasks") or []))
    templates = [
        t["template"]
        for t in em.sms.every_template()
        if t["project_id"] == project_id and t["template"].get("id")
    ]
    clock = reading(em.clock)
    return {
        "clock": clock,
        "view": view,
        "task": task,
        "timeline": timeline(task, clock["now_ms"]),
        "error": readable_error(task.get("error_json")),
        "templates": templates,
        "faults": _faults(em, project_id, task_id),
        # The fault form offers the task's own sub-tasks first, then every other name.
        "own_subtasks": own_subtasks,
        "other_subtasks": [s for s in SubtaskName.__members__ if s not in own_subtasks],
        "fault_subtask": view.current or next(iter(own_subtasks), "MIGRATE_LINUX_FILE"),
        "default_fault_code": codes.TASK_FAILED.code,
    }


# --- pages -----------------------------------------------------------------------------------


@blueprint.get("")
def overview() -> Response:
    refusal = _refusal()
    if refusal is not None:
        return _login(refusal)
    em = emulator()
    filters, problem = _filters(em)
    if problem:
        return _page("dashboard/error.html", 400, title="Bad filter", message=problem)
    return _page(
        "dashboard/overview.html",
        title="Overview",
        page="overview",
        parts_url=url_for(".overview_parts", **{k: v for k, v in filters.items() if v}),
        states=list(TaskState.__members__),
        projects=sorted(_project_names(em).items(), key=lambda item: item[1]),
        default_project=em.iam.account.default_project_id,
        scenarios=sorted(em.fixtures.scenarios.values(), key=lambda s: s.name),
        subtasks=list(SubtaskName.__members__),
        **_overview_parts(em, filters),
    )


@blueprint.get("/tasks/<project_id>/<task_id>")
def task_page(project_id: str, task_id: str) -> Response:
    refusal = _refusal()
    if refusal is not None:
        return _login(refusal)
    context = _task_context(emulator(), project_id, task_id)
    if context is None:
        message = f"There is no task {task_id!r} in the project {project_id!r}."
        return _page("dashboard/error.html", 404, title="No such task", message=message)
    parts_url = url_for(".task_parts", project_id=project_id, task_id=task_id)
    title = f"Task {context['view'].name}"
    return _page("dashboard/task.html", title=title, page="task", parts_url=parts_url, **context)


@blueprint.get("/parts/overview")
def overview_parts() -> Response:
    refusal = _refusal()
    if refusal is not None:
        return _refused_part(refusal)
    em = emulator()
    filters, problem = _filters(em)
    if problem:
        return json_response({"error_msg": problem}, 400)
    return _render_parts(OVERVIEW_PARTS, _overview_parts(em, filters))


@blueprint.get("/parts/tasks/<project_id>/<task_id>")
def task_parts(project_id: str, task_id: str) -> Response:
    refusal = _refusal()
    if refusal is not None:
        return _refused_part(refusal)
    context = _task_context(emulator(), project_id, task_id)
    if context is None:
        raise task_not_found(task_id)
    return _render_parts(TASK_PARTS, context)


@blueprint.post("/login")
def login() -> Response:
    """The form's token, proven by a cookie for `/_mock` (HttpOnly: the page's script never
    reads it); a wrong one asks again. The middleware took only a form of this page's own."""
    gate = _gate()
    if gate.token:
        refusal = gate.try_token(request.form.get("token", ""), request.environ)
        if refusal is not None:
            return _login(refusal, "That is not the server's admin token.")
    response = redirect(f"{CONTROL}/ui", 303)
    if gate.token:
        response.set_cookie(
            ADMIN_COOKIE,
            gate.cookie_for_token(),
            max_age=COOKIE_LIFETIME_S,
            path=CONTROL,
            httponly=True,
            samesite="Strict",
        )
    return response


@blueprint.post("/logout")
def logout() -> Response:
    response = redirect(f"{CONTROL}/ui", 303)
    response.delete_cookie(ADMIN_COOKIE, path=CONTROL, httponly=True, samesite="Strict")
    return response
