"""The QA dashboard in a real headless chromium: a QA person's session, from sign-in to a
failed task restarted and finished, and every panel of the overview used from the page.

One browser for the module. The emulator is a real server on 127.0.0.1 with an admin token,
on a manual clock, so that the page's own Advance button is what moves every task.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from sms_mock.mock_server import Config
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import PROJECT_ID
from tests.support.browser import ARTIFACTS, chromium, require_browser

ADMIN_TOKEN = "qa-bench-secret"
WAIT_S = 15


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(Config(clock="manual", admin_token=ADMIN_TOKEN)) as live:
        yield live


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(server: LiveServer, downloads: Path) -> Iterator[Any]:
    require_browser()
    with chromium(downloads) as driver:
        # Signing in once, with the keyboard, as the page asks.
        driver.get(f"{server.url}/_mock/ui")
        assert driver.find_element(By.ID, "login-heading").text == "Admin token"
        driver.find_element(By.ID, "token").send_keys(ADMIN_TOKEN, Keys.ENTER)
        wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, "[data-part=tasks]"))
        yield driver


def wait_until(condition: Callable[[], Any], timeout: float = WAIT_S) -> Any:
    """The condition's first true value, polled until `timeout` (the page polls every second)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except StaleElementReferenceException:  # the page redrew a row while it was read
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {condition.__doc__ or condition}")
        time.sleep(0.1)


def by_id(driver: Any, element_id: str) -> Any:
    return driver.find_element(By.ID, element_id)


def css(driver: Any, selector: str) -> list[Any]:
    return driver.find_elements(By.CSS_SELECTOR, selector)


def press(element: Any) -> None:
    """Activate a control from the keyboard, as someone without a mouse does."""
    element.send_keys(Keys.ENTER)


def status_says(driver: Any, text: str) -> bool:
    line = by_id(driver, "status").text
    if "error" in (by_id(driver, "status").get_attribute("class") or ""):
        raise AssertionError(f"the page reported a failure: {line}")
    return text in line


def advance(driver: Any, minutes: int) -> None:
    amount = by_id(driver, "advance-amount")
    amount.clear()
    amount.send_keys(str(minutes))
    Select(by_id(driver, "advance-unit")).select_by_visible_text("minutes")
    press(by_id(driver, "advance-button"))
    wait_until(lambda: status_says(driver, f"The clock moved {minutes} minutes"))


def load_scenario(driver: Any, name: str) -> None:
    Select(by_id(driver, "scenario-name")).select_by_value(name)
    press(by_id(driver, "scenario-load"))
    wait_until(lambda: status_says(driver, f"Loaded {name}"))


def control(server: LiveServer, method: str, path: str) -> Any:
    """The control plane, as a test outside the page reads it."""
    # Every control-plane POST says JSON, a bodiless one too.
    headers = {"X-Mock-Admin-Token": ADMIN_TOKEN, "Content-Type": "application/json"}
    return requests.request(method, f"{server.url}/_mock{path}", headers=headers, timeout=5).json()


def mark_page(driver: Any) -> None:
    """A value that lives as long as the page does: gone after a reload."""
    driver.execute_script("window.__same_page = true;")


def same_page(driver: Any) -> bool:
    return driver.execute_script("return window.__same_page === true;")


def row_of(driver: Any, name: str) -> Any:
    rows = [r for r in css(driver, "table.tasks tbody tr") if r.find_elements("xpath", "td")]
    return next((r for r in rows if r.find_elements("xpath", "td")[1].text == name), None)


def cells(row: Any) -> list[str]:
    return [td.text for td in row.find_elements("xpath", "td")]


def lifecycle_allows(server: LiveServer, state: str) -> list[str]:
    table = control(server, "GET", "/lifecycle")
    allowed = {r["operation"] for r in table["operations"] if state in r["allowed_states"]}
    if state not in table["undeletable_states"]:
        allowed.add("delete")
    return sorted(allowed)


def shown_operations(driver: Any) -> list[str]:
    """The API operations the page's buttons send (their labels are plain words)."""
    return sorted(b.get_attribute("data-op") or "delete" for b in css(driver, ".ops button"))


def screenshot(driver: Any, name: str) -> None:
    """The whole page, however long, as a test artefact (README shows two of them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = driver.get_window_size()
    height = driver.execute_script("return document.documentElement.scrollHeight;")
    driver.set_window_size(size["width"], max(height + 120, size["height"]))
    try:
        driver.save_screenshot(str(ARTIFACTS / name))
    finally:
        driver.set_window_size(size["width"], size["height"])


def test_a_task_fails_at_40_percent_is_restarted_from_its_page_and_finishes(
    browser: Any, server: LiveServer
) -> None:
    driver = browser
    driver.get(f"{server.url}/_mock/ui")
    mark_page(driver)

    # Load the scenario from the page; its tasks appear without a reload.
    load_scenario(driver, "fault-at-migrate-40")
    app01 = wait_until(lambda: row_of(driver, "app-01"))
    assert cells(app01)[3] == "READY"
    assert same_page(driver)

    # Start it from its own page (the keyboard follows the link).
    press(app01.find_element("xpath", "td[1]/a"))
    wait_until(lambda: css(driver, "#task-state"))
    assert by_id(driver, "task-state").text == "READY"
    assert shown_operations(driver) == lifecycle_allows(server, "READY")
    press(by_id(driver, "op-start"))
    wait_until(lambda: status_says(driver, "start: accepted"))
    wait_until(lambda: by_id(driver, "task-state").text == "RUNNING")
    task_url = driver.current_url

    # Back on the overview, advance the clock and watch it fail at MIGRATE_LINUX_FILE 40%.
    driver.get(f"{server.url}/_mock/ui")
    mark_page(driver)
    advance(driver, 10)
    failed = wait_until(
        lambda: (row := row_of(driver, "app-01")) and cells(row)[3] == "MIGRATE_FAIL" and row
    )
    assert cells(failed)[4:] == [
        "MIGRATE_LINUX_FILE",
        "40%",
        "SMS.6531 The boot partition does not exist.",
    ]
    assert failed.find_element("css selector", "progress").get_attribute("value") == "40"
    assert cells(row_of(driver, "app-02"))[3] == "READY"  # not started: it waits
    assert same_page(driver)
    screenshot(driver, "dashboard-overview.png")

    # Its page: the failed sub-task marked, the error readable, the buttons the table allows.
    driver.get(task_url)
    mark_page(driver)
    failed_bar = css(driver, '.timeline li[data-status="failed"]')
    assert [bar.get_attribute("data-subtask") for bar in failed_bar] == ["MIGRATE_LINUX_FILE"]
    assert "failed, 40%" in failed_bar[0].text
    assert by_id(driver, "error-code").text == "SMS.6531"
    assert "The boot partition does not exist." in css(driver, ".error-box")[0].text
    assert shown_operations(driver) == lifecycle_allows(server, "MIGRATE_FAIL")
    assert "restart" in shown_operations(driver)
    screenshot(driver, "dashboard-task.png")

    # Restart from the page, advance the clock from the page, see MIGRATE_SUCCESS.
    press(by_id(driver, "op-restart"))
    wait_until(lambda: status_says(driver, "restart: accepted"))
    wait_until(lambda: by_id(driver, "task-state").text == "RUNNING")
    advance(driver, 120)
    wait_until(lambda: by_id(driver, "task-state").text == "MIGRATE_SUCCESS")
    assert not css(driver, '.timeline li[data-status="failed"]')
    assert shown_operations(driver) == lifecycle_allows(server, "MIGRATE_SUCCESS")
    assert same_page(driver)

    # The page acted through the public API: the journal has its calls, newest first.
    journal = control(server, "GET", "/requests")["requests"]
    actions = [e for e in journal if e["path"].endswith("/action")]
    assert [e["operation"] for e in actions] == ["start", "restart"]
    assert all(e["status"] == 200 for e in actions)
    # The page's own reads are not kept: a dashboard left open does not fill the journal.
    assert not [e for e in journal if e["method"] == "GET" and e["path"].startswith("/_mock/ui")]


def test_faults_added_from_the_page_fire_and_show_in_the_journal(
    browser: Any, server: LiveServer
) -> None:
    driver = browser
    driver.get(f"{server.url}/_mock/ui")
    # An HTTP fault: every GET of a task answers 503 once.
    press(css(driver, "#faults-heading ~ details > summary")[1])
    Select(by_id(driver, "hf-method")).select_by_value("GET")
    path = by_id(driver, "hf-path")
    path.clear()
    path.send_keys("/v3/tasks/*")
    press(css(driver, 'form[data-action="http-fault"] button')[0])
    wait_until(lambda: status_says(driver, "Added the HTTP fault"))
    fault_id = by_id(driver, "status").text.split()[-1].rstrip(".")
    wait_until(lambda: css(driver, f"#delete-fault-{fault_id}"))

    token = control(server, "POST", "/tokens")["token"]
    hit = requests.get(
        f"{server.url}/v3/tasks/sample-ready", headers={"X-Auth-Token": token}, timeout=5
    )
    assert hit.status_code == 503

    # The journal, newest first, shows the request the fault fired on.
    def fired_row() -> Any:
        rows = css(driver, "table.journal tbody tr.fired")
        return rows and rows[0]

    row = wait_until(fired_row)
    assert "GET /v3/tasks/sample-ready" in row.text and fault_id in row.text
    first = css(driver, "table.journal tbody tr")[0]
    assert first.text == row.text  # the newest first

    # A task fault from the form, then every fault cleared.
    press(css(driver, "#faults-heading ~ details > summary")[0])
    by_id(driver, "tf-task").send_keys("sample-ready")
    press(css(driver, 'form[data-action="task-fault"] button')[0])
    wait_until(lambda: status_says(driver, "Added the task fault"))
    faults = control(server, "GET", "/faults")["faults"]
    task_faults = [f for f in faults if f["kind"] == "task" and f["task_id"] == "sample-ready"]
    assert [(f["task_id"], f["subtask"], f["at_progress"]) for f in task_faults] == [
        ("sample-ready", "MIGRATE_LINUX_FILE", 40)
    ]
    press(css(driver, 'button[data-action="clear-faults"]')[0])
    wait_until(lambda: status_says(driver, "Cleared every fault"))
    wait_until(lambda: "No fault." in css(driver, "[data-part=faults]")[0].text)


def test_a_fault_added_from_a_tasks_page_is_for_that_task(browser: Any, server: LiveServer) -> None:
    driver = browser
    driver.get(f"{server.url}/_mock/ui/tasks/{PROJECT_ID}/sample-ready")
    press(css(driver, "#task-fault-details > summary")[0])
    Select(by_id(driver, "tf-subtask")).select_by_value("MIGRATE_LINUX_FILE")
    progress = by_id(driver, "tf-progress")
    progress.clear()
    progress.send_keys("25")
    Select(by_id(driver, "tf-effect")).select_by_value("pause")
    press(by_id(driver, "tf-add"))
    wait_until(lambda: status_says(driver, "Added the task fault"))
    fault_id = by_id(driver, "status").text.split()[-1].rstrip(".")
    # The page's own list of faults shows it, naming the task, without a reload.
    listed = wait_until(lambda: css(driver, f"#delete-fault-{fault_id}"))
    assert "ready-web-01" in listed[0].find_element("xpath", "..").text
    faults = control(server, "GET", "/faults")["faults"]
    added = next(f for f in faults if f["id"] == fault_id)
    assert (added["project_id"], added["task_id"], added["subtask"]) == (
        PROJECT_ID,
        "sample-ready",
        "MIGRATE_LINUX_FILE",
    )
    assert (added["at_progress"], added["effect"]) == (25, "pause")
    control(server, "DELETE", f"/faults/{fault_id}")


def test_the_control_planes_root_opens_the_dashboard(browser: Any, server: LiveServer) -> None:
    driver = browser
    for path in ("/_mock", "/_mock/"):
        driver.get(f"{server.url}{path}")
        wait_until(lambda: driver.current_url == f"{server.url}/_mock/ui")
        assert css(driver, "[data-part=tasks]")


def test_a_downloaded_snapshot_uploaded_again_brings_the_state_back(
    browser: Any, server: LiveServer, downloads: Path
) -> None:
    driver = browser
    driver.get(f"{server.url}/_mock/ui")
    press(by_id(driver, "snapshot-download"))
    saved = wait_until(lambda: list(downloads.glob("sms-mock-snapshot*.json")))
    wait_until(lambda: _complete_json(saved[0]))
    before = {t["task"]["id"] for t in _every_task(server)}

    # A change after the snapshot ...
    load_scenario(driver, "ready")
    assert {t["task"]["id"] for t in _every_task(server)} != before

    # ... undone by uploading the file.
    by_id(driver, "snapshot-file").send_keys(str(saved[0]))
    press(css(driver, 'form[data-action="upload"] button')[0])
    wait_until(lambda: status_says(driver, "Restored the snapshot"))
    assert {t["task"]["id"] for t in _every_task(server)} == before


def test_the_page_asks_nothing_of_another_origin_and_fits_a_narrow_window(
    browser: Any, server: LiveServer
) -> None:
    driver = browser
    driver.set_window_size(390, 900)
    try:
        driver.get(f"{server.url}/_mock/ui")
        wait_until(lambda: driver.execute_script("return document.body.dataset.live === 'yes'"))
        asked = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name);"
        )
        assert asked and all(url.startswith(server.url) for url in asked), asked
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
        )
        assert overflow <= 1  # wide tables scroll inside their own box
        screenshot(driver, "dashboard-narrow.png")
    finally:
        driver.set_window_size(1280, 1000)


def test_every_control_is_reached_with_the_tab_key(browser: Any, server: LiveServer) -> None:
    driver = browser
    driver.get(f"{server.url}/_mock/ui")
    wanted = {"advance-button", "scenario-load", "filter-state", "snapshot-download"}
    reached: list[str] = []
    for _ in range(300):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        reached.append(driver.switch_to.active_element.get_attribute("id") or "")
        if wanted <= set(reached):
            break
    assert wanted <= set(reached)
    # The first stop is the link past the header, to the content.
    assert reached[0] == "skip"


def _complete_json(path: Path) -> bool:
    try:
        json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return True


def _every_task(server: LiveServer) -> list[dict[str, Any]]:
    return control(server, "GET", "/tasks")["tasks"]


def test_the_filters_apply_as_they_change_without_a_reload(
    browser: Any, server: LiveServer
) -> None:
    driver = browser
    driver.get(f"{server.url}/_mock/ui")
    mark_page(driver)
    Select(by_id(driver, "filter-state")).select_by_value("READY")

    def only_ready() -> bool:
        states = {cells(r)[3] for r in css(driver, "table.tasks tbody tr")}
        return states == {"READY"}

    wait_until(only_ready)
    assert driver.current_url.endswith("/_mock/ui?state=READY")  # a link to what is shown
    assert same_page(driver)
    Select(by_id(driver, "filter-state")).select_by_value("")
    wait_until(lambda: len({cells(r)[3] for r in css(driver, "table.tasks tbody tr")}) > 1)


def test_reset_from_the_page_goes_back_to_the_fixtures(browser: Any, server: LiveServer) -> None:
    driver = browser
    driver.get(f"{server.url}/_mock/ui")
    load_scenario(driver, "migrate-success")
    press(css(driver, 'button[data-action="reset"]')[0])
    driver.switch_to.alert.accept()  # the page asks before it throws the state away
    wait_until(lambda: status_says(driver, "Reset; the clock reads"))
    fixtures = {t["task"]["id"] for t in _every_task(server)}
    wait_until(lambda: set(page_task_ids(driver)) == fixtures)


def test_a_real_clocks_speed_is_set_from_the_page(browser: Any) -> None:
    driver = browser
    with LiveServer(Config(clock="real")) as real:
        driver.get(f"{real.url}/_mock/ui")
        speed = by_id(driver, "speed")
        speed.clear()
        speed.send_keys("3600")
        press(css(driver, 'form[data-action="speed"] button')[0])
        wait_until(lambda: status_says(driver, "now runs at 3600\u00d7 wall time"))
        wait_until(lambda: "3600\u00d7 wall time" in css(driver, "[data-part=clock]")[0].text)
        assert real.emulator.clock.speed == 3600


def page_task_ids(driver: Any) -> list[str]:
    return [r.get_attribute("data-task-id") for r in css(driver, "table.tasks tbody tr")]
