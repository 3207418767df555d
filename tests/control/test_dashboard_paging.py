"""The dashboard's overview pages its tasks (README, "The QA dashboard"): a refresh shows at most
TASKS_A_PAGE of them and says how many there are, works out only the page's tasks, and its
pages together show every task once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sms_mock.mock_server import Config
from sms_mock.mock_server.dashboard import routes
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import SECOND_PROJECT_ID
from tests.support.browser import chromium, require_browser

BULK = 250  # tasks put in besides the fixtures': three pages
TIMEOUT_S = 30  # a bound on a hung server, never a measure
ROW = re.compile(r'<tr id="task-[^"]*" data-task-id="([^"]*)" data-state="([^"]*)"')
COUNT = re.compile(
    r'id="task-count" data-first="(\d+)" data-last="(\d+)" data-matched="(\d+)" '
    r'data-total="(\d+)"'
)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """A server with BULK more tasks, half of them RUNNING, a few in a second project."""
    with LiveServer(Config(clock="manual")) as live, requests.Session() as session:
        for n in range(BULK):
            project = f"?project={SECOND_PROJECT_ID}" if n % 50 == 0 else ""
            state = "RUNNING" if n % 2 else "READY"
            task = {"id": f"bulk-{n:04d}", "name": f"bulk-{n:04d}", "state": state}
            put = session.post(f"{live.url}/_mock/tasks{project}", json=task, timeout=TIMEOUT_S)
            assert put.status_code == 201, put.text
        yield live


def every_task(server: LiveServer) -> list[dict[str, Any]]:
    answer = requests.get(f"{server.url}/_mock/tasks", timeout=TIMEOUT_S)
    return answer.json()["tasks"]


def overview(server: LiveServer, **query: Any) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The tasks part of one refresh: its rows (id, state) and what its count line says."""
    answer = requests.get(f"{server.url}/_mock/ui/parts/overview", params=query, timeout=TIMEOUT_S)
    assert answer.status_code == 200, answer.text
    tasks = answer.json()["tasks"]
    found = COUNT.search(tasks)
    assert found, tasks[:500]
    first, last, matched, total = map(int, found.groups())
    return ROW.findall(tasks), {"first": first, "last": last, "matched": matched, "total": total}


def test_a_refresh_shows_one_page_and_says_how_many_tasks_there_are(server: LiveServer) -> None:
    total = len(every_task(server))
    assert total > 2 * routes.TASKS_A_PAGE
    rows, count = overview(server)
    assert len(rows) == routes.TASKS_A_PAGE
    assert count == {"first": 1, "last": routes.TASKS_A_PAGE, "matched": total, "total": total}


def test_the_pages_together_show_every_task_once(server: LiveServer) -> None:
    every = {t["task"]["id"]: t["task"]["state"] for t in every_task(server)}
    pages = -(-len(every) // routes.TASKS_A_PAGE)
    shown: list[tuple[str, str]] = []
    for page in range(1, pages + 1):
        rows, count = overview(server, page=page)
        assert count["first"] == (page - 1) * routes.TASKS_A_PAGE + 1
        assert len(rows) == count["last"] - count["first"] + 1 <= routes.TASKS_A_PAGE
        shown.extend(rows)
    assert len(shown) == len(every) and dict(shown) == every
    # A page past the last shows the last (tasks deleted under a QA person's feet).
    assert overview(server, page=pages + 5) == overview(server, page=pages)


def test_a_filtered_refresh_pages_the_tasks_that_match(server: LiveServer) -> None:
    running = {t["task"]["id"] for t in every_task(server) if t["task"]["state"] == "RUNNING"}
    rows, count = overview(server, state="RUNNING", page=2)
    assert count["matched"] == len(running) and count["total"] > len(running)
    assert {state for _, state in rows} == {"RUNNING"} and {i for i, _ in rows} <= running
    assert len(rows) == min(routes.TASKS_A_PAGE, len(running) - routes.TASKS_A_PAGE)
    second, count = overview(server, project=SECOND_PROJECT_ID)
    assert {i for i, _ in second} == {f"bulk-{n:04d}" for n in range(0, BULK, 50)}
    assert count["matched"] == BULK // 50


def test_the_page_links_to_its_neighbours_keeping_the_filter(server: LiveServer) -> None:
    middle = requests.get(f"{server.url}/_mock/ui?page=2", timeout=TIMEOUT_S).text
    assert 'href="/_mock/ui" id="tasks-previous-top"' in middle
    assert 'href="/_mock/ui?page=3" id="tasks-next-bottom"' in middle
    last = requests.get(f"{server.url}/_mock/ui?state=READY&page=2", timeout=TIMEOUT_S).text
    assert 'href="/_mock/ui?state=READY" id="tasks-previous-top"' in last
    assert "Page 2 of 2" in last and 'id="tasks-next-top"' not in last


@pytest.mark.parametrize("page", ["0", "-1", "x", "1.5", "٣", "99999999"])
def test_a_page_that_is_no_page_number_is_a_400_saying_so(server: LiveServer, page: str) -> None:
    answer = requests.get(f"{server.url}/_mock/ui", params={"page": page}, timeout=TIMEOUT_S)
    assert answer.status_code == 400 and "There is no page" in answer.text
    parts = requests.get(
        f"{server.url}/_mock/ui/parts/overview", params={"page": page}, timeout=TIMEOUT_S
    )
    assert parts.status_code == 400 and "There is no page" in parts.json()["error_msg"]


def test_a_refresh_works_out_the_pages_tasks_only(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Positive proof of the cost: the views a refresh builds are the page's, however many tasks.
    made: list[str] = []
    real = routes.task_view

    def counted(project_id: str, project_name: str, task: dict[str, Any], *live: Any) -> Any:
        made.append(str(task.get("id")))
        return real(project_id, project_name, task, *live)

    monkeypatch.setattr(routes, "task_view", counted)
    rows, count = overview(server, page=2)
    assert count["total"] > 2 * routes.TASKS_A_PAGE
    assert made == [task_id for task_id, _ in rows] and len(made) == routes.TASKS_A_PAGE


def test_the_pager_turns_the_page_in_place_and_a_filter_starts_again_at_one(
    server: LiveServer, tmp_path: Path
) -> None:
    require_browser()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    with chromium(tmp_path) as driver:
        wait = WebDriverWait(driver, TIMEOUT_S)

        def first_row() -> str:
            # Read by script: the part is redrawn under a held element.
            return driver.execute_script(
                "return document.getElementById('task-count').dataset.first;"
            )

        driver.get(f"{server.url}/_mock/ui")
        wait.until(lambda _: driver.execute_script("return document.body.dataset.live === 'yes'"))
        driver.execute_script("window.__same_page = true;")
        driver.find_element(By.ID, "tasks-next-top").click()
        wait.until(lambda _: first_row() == str(routes.TASKS_A_PAGE + 1))
        assert driver.current_url.endswith("/_mock/ui?page=2")  # a link to what is shown
        Select(driver.find_element(By.ID, "filter-state")).select_by_value("RUNNING")
        wait.until(lambda _: driver.current_url.endswith("/_mock/ui?state=RUNNING"))
        wait.until(lambda _: first_row() == "1")
        assert driver.execute_script("return window.__same_page === true;")  # never reloaded
