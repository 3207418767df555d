"""The browser as an attacker: a page of another site that the QA person opens, on the default
server (loopback, no admin token), gets nothing from the control plane, the dashboard or
`/openapi.json`, and changes nothing (README, "Off loopback").

Each request below is what a browser sends for that page: a `<form method=post>` (a form's
content type, the page's `Origin`, `Sec-Fetch-Site: cross-site`), a `no-cors` fetch of
`text/plain`, and the same from a browser that sends neither `Origin` nor `Sec-Fetch-Site`;
then a page on a name rebound to 127.0.0.1 (DNS rebinding: its own name in `Host`). Every
refused request is proven to change nothing: the whole snapshot (clock, tasks, tokens, faults)
is the same after it. Over real HTTP, on the shared `live` server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from sms_mock.control import ControlPlane
from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import password_body
from tests.support.assertions import error_body
from tests.support.servers import SMS_MOCK, serving

EVIL = "http://evil.example"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TEXT = {"Content-Type": "text/plain;charset=UTF-8"}
CROSS_SITE = {"Origin": EVIL, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}
# What the attacker's page would post: each a change the control plane makes.
WRITES = [
    ("/_mock/reset", b""),
    ("/_mock/faults", json.dumps({"match": {"path": "/v3/tasks"}, "drop": True}).encode()),
    ("/_mock/clock/advance", json.dumps({"seconds": 86400}).encode()),
    ("/_mock/scenarios/ready", b""),
    ("/_mock/tokens", b"{}"),
]
WRITE_IDS = [path for path, _ in WRITES]


@pytest.fixture
def unchanged(live: LiveServer) -> Iterator[None]:
    """The block leaves the whole emulator as it was: clock, tasks, tokens and faults."""
    with ControlPlane(live.url) as plane:
        plane.load_scenario("ready")  # something a reset would undo
        before = plane.snapshot()
        yield
        assert plane.snapshot() == before, "a refused request changed the emulator"


def post(live: LiveServer, path: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(
        f"{live.url}{path}", data=body, headers=headers, allow_redirects=False, timeout=5
    )


# --- M1: writes another site's page can send ----------------------------------------------------


@pytest.mark.parametrize(("path", "body"), WRITES, ids=WRITE_IDS)
@pytest.mark.parametrize("kind", [FORM, TEXT], ids=["form", "text-plain"])
def test_another_sites_page_changes_nothing(
    live: LiveServer, unchanged: None, path: str, body: bytes, kind: dict[str, str]
) -> None:
    refused = post(live, path, body, {**kind, **CROSS_SITE})
    message = error_body(refused, 403, "MOCK.0403")["error_msg"]
    assert message.endswith("Sec-Fetch-Site is cross-site.")


@pytest.mark.parametrize(("path", "body"), WRITES, ids=WRITE_IDS)
@pytest.mark.parametrize("kind", [FORM, TEXT, {}], ids=["form", "text-plain", "no-type"])
def test_a_post_that_is_not_json_changes_nothing_even_without_origin(
    live: LiveServer, unchanged: None, path: str, body: bytes, kind: dict[str, str]
) -> None:
    # A browser that sends neither Origin nor Sec-Fetch-Site: the content type alone refuses
    # it, since no page can send application/json to another origin without a preflight.
    refused = post(live, path, body, kind)
    error_body(refused, 415, "MOCK.0420")


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "null"},
        {"Origin": EVIL},
        {"Origin": "http://127.0.0.1:1"},  # another port is another origin
        {"Origin": "https://127.0.0.1"},
    ],
    ids=["same-site", "null-origin", "evil-origin", "other-port", "other-scheme"],
)
def test_a_json_post_from_another_origin_is_refused(
    live: LiveServer, unchanged: None, headers: dict[str, str]
) -> None:
    # A page of another origin could only send JSON after a preflight the emulator never
    # grants; a browser that lets it through anyway still names the page's origin.
    refused = post(live, "/_mock/reset", b"", {"Content-Type": "application/json", **headers})
    error_body(refused, 403, "MOCK.0403")


def test_the_own_origin_and_json_are_accepted(live: LiveServer) -> None:
    own = {"Origin": live.url, "Sec-Fetch-Site": "same-origin"}
    headers = {"Content-Type": "application/json", **own}
    assert post(live, "/_mock/reset", b"", headers).status_code == 200
    advanced = post(live, "/_mock/clock/advance", b'{"seconds": 5}', headers)
    assert advanced.status_code == 200, advanced.text
    # A charset is still JSON.
    typed = {"Content-Type": "application/json; charset=utf-8"}
    assert post(live, "/_mock/clock/advance", b'{"seconds": 5}', typed).status_code == 200


def test_the_control_plane_client_sends_what_is_needed(live: LiveServer) -> None:
    # Bodiless POSTs included: ControlPlane says JSON on every POST.
    with ControlPlane(live.url) as plane:
        assert plane.reset()["status"] == "reset"
        assert plane.load_scenario("ready")["task_ids"]
        assert plane.add_fault({"match": {"path": "/nowhere"}, "status": 503})["id"]
        assert plane.clear_faults() == {"faults": []}


@pytest.mark.parametrize(
    "path",
    ["/_mock/snapshot", "/_mock/requests", "/_mock/ui/parts/overview", "/openapi.json"],
)
def test_another_sites_page_reads_nothing(live: LiveServer, path: str) -> None:
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": EVIL}):
        refused = requests.get(f"{live.url}{path}", headers=headers, timeout=5)
        error_body(refused, 403, "MOCK.0403")
        assert "mock-password" not in refused.text


def test_a_link_from_another_site_still_opens_the_dashboard(live: LiveServer) -> None:
    # A top-level navigation only shows the page: the page reads, and no frame may hold it.
    navigation = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    page = requests.get(f"{live.url}/_mock/ui", headers=navigation, timeout=5)
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    # Not a navigation to anything else: the snapshot is still refused.
    snapshot = requests.get(f"{live.url}/_mock/snapshot", headers=navigation, timeout=5)
    error_body(snapshot, 403, "MOCK.0403")


@pytest.mark.parametrize(
    "headers",
    [
        {**FORM, **CROSS_SITE},
        {**FORM, "Sec-Fetch-Site": "same-site"},
        FORM,  # a form from a browser that says nothing of where it comes from
    ],
    ids=["cross-site", "same-site", "no-proof"],
)
def test_the_dashboards_forms_need_the_dashboards_own_page(
    live: LiveServer, headers: dict[str, str]
) -> None:
    for path in ("/_mock/ui/logout", "/_mock/ui/login"):
        refused = post(live, path, b"token=x", headers)
        error_body(refused, 403, "MOCK.0403")
        assert "Set-Cookie" not in refused.headers
    own = {**FORM, "Origin": live.url}
    signed_out = post(live, "/_mock/ui/logout", b"", own)
    assert signed_out.status_code == 303
    assert signed_out.headers["Location"] == "/_mock/ui"


# --- M2: DNS rebinding ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/_mock/snapshot", "/_mock/ui", "/_mock/ui/parts/overview", "/openapi.json"]
)
@pytest.mark.parametrize(
    "host", ["rebind.evil.example", "rebind.evil.example:{port}", "localhost.evil.example"]
)
def test_a_rebound_name_reads_nothing(live: LiveServer, path: str, host: str) -> None:
    headers = {"Host": host.format(port=live.port)}
    refused = requests.get(f"{live.url}{path}", headers=headers, timeout=5)
    message = error_body(refused, 421, "MOCK.0421")["error_msg"]
    assert repr(host.format(port=live.port)) in message
    assert "mock-password" not in refused.text


def test_a_rebound_name_changes_nothing(live: LiveServer, unchanged: None) -> None:
    headers = {"Host": "rebind.evil.example", "Content-Type": "application/json"}
    error_body(post(live, "/_mock/reset", b"", headers), 421, "MOCK.0421")


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST", "[::1]:{port}", "10.1.2.3:{port}"]
)
def test_loopback_names_and_addresses_are_answered(live: LiveServer, host: str) -> None:
    headers = {"Host": host.format(port=live.port)}
    for path in ("/_mock/health", "/_mock/ui", "/openapi.json"):
        assert requests.get(f"{live.url}{path}", headers=headers, timeout=5).status_code == 200


def test_the_api_answers_any_host_but_names_only_a_trusted_one(live: LiveServer) -> None:
    # An SDK sends its endpoint's name; the API answers it, but its catalog names the bound
    # address rather than a name nobody allowed.
    issued = requests.post(
        f"{live.url}/v3/auth/tokens",
        json=password_body(),
        headers={"Host": "rebind.evil.example"},
        timeout=5,
    )
    assert issued.status_code == 201, issued.text
    urls = [e["url"] for s in issued.json()["token"]["catalog"] for e in s["endpoints"]]
    assert urls and not [u for u in urls if "evil" in u]
    assert f"http://127.0.0.1:{live.port}" in urls
    versions = requests.get(f"{live.url}/", headers={"Host": "rebind.evil.example"}, timeout=5)
    assert versions.status_code == 200 and "evil" not in versions.text


def test_an_allowed_host_name_is_answered() -> None:
    app = create_app(Config(clock="manual", allowed_hosts=["qa-box.internal"]))
    client = app.test_client()
    assert client.get("/_mock/health", headers={"Host": "qa-box.internal:8080"}).status_code == 200
    assert client.get("/_mock/health", headers={"Host": "QA-BOX.internal."}).status_code == 200
    other = client.get("/_mock/health", headers={"Host": "other.internal"})
    assert other.status_code == 421


# --- L5: slashes kept as given ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v3//tasks",
        "/v3/auth//tokens",
        "/v3/tasks//sample-ready",
        "/v3//auth/tokens",
        "/_mock//health",
        "/v3/tasks/sample-ready//action",
    ],
)
def test_a_doubled_slash_is_an_unknown_path_not_a_redirect(live: LiveServer, path: str) -> None:
    for method in ("GET", "POST"):
        answer = requests.request(
            method,
            f"{live.url}{path}",
            headers={"Content-Type": "application/json"},
            data=b"{}",
            allow_redirects=False,
            timeout=5,
        )
        error_body(answer, 404, "APIGW.0101")
        assert "Location" not in answer.headers


def test_serve_answers_the_allowed_host_names_it_is_given() -> None:
    with serving(SMS_MOCK, "serve", "--allowed-host", "qa-box.internal") as (process, url):
        port = url.rsplit(":", 1)[1]
        for host in (f"qa-box.internal:{port}", f"localhost:{port}", f"127.0.0.1:{port}"):
            answer = requests.get(f"{url}/_mock/health", headers={"Host": host}, timeout=5)
            assert answer.status_code == 200, host
        other = requests.get(f"{url}/_mock/health", headers={"Host": "other.internal"}, timeout=5)
        error_body(other, 421, "MOCK.0421")
        process.terminate()
