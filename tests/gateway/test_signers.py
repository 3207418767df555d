"""The gateway over real HTTP, against what each official SDK's signer sends
(`tests/support/signers.py`): Python, Go v3, golangsdk (Terraform's) and Java.

Each is accepted for a query that needs escaping, a JSON body, a path with a trailing slash and
temporary credentials; and what must stay refused is refused whoever signed it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from sms_mock.control import ControlPlane
from sms_mock.mock_server.serving.live import LiveServer
from tests.support.accounts import AK, DOMAIN_ID, OTHER_PROJECT_ID, PROJECT_ID, password_body
from tests.support.assertions import AUTH_FAILED, error_message
from tests.support.control import control_fixture  # noqa: F401 (the control fixture)
from tests.support.signers import SIGNERS, Call, Key, Signed, Signer, golangsdk

# A space, a `+`, a `/`, a `~` and characters outside ASCII: every signer escapes them.
AWKWARD_NAME = "web+db/01 ~ café 迁移"
SIGNATURE_FAIL = "verify aksk signature fail"


@pytest.fixture(params=list(SIGNERS))
def signer(request: pytest.FixtureRequest) -> Signer:
    return SIGNERS[request.param]


def refused(response: requests.Response, reason: str) -> str:
    """A 401 APIGW.0301 whose message gives `reason`."""
    message = error_message(response, 401, "APIGW.0301")
    assert message.startswith(AUTH_FAILED), message
    assert reason in message, message
    return message


def task(live: LiveServer, signer: Signer, task_id: str, key: Key | None = None) -> Any:
    response = signer(live.url, Call("GET", f"/v3/tasks/{task_id}"), key or Key()).send()
    assert response.status_code == 200, response.text
    return response.json()


def temporary_key(live: LiveServer) -> Key:
    """Temporary credentials of the default user, asked for with its token."""
    login = requests.post(f"{live.url}/v3/auth/tokens", json=password_body(), timeout=10)
    assert login.status_code == 201, login.text
    response = requests.post(
        f"{live.iam_url}/v3.0/OS-CREDENTIAL/securitytokens",
        json={"auth": {"identity": {"methods": ["token"], "token": {"duration_seconds": 900}}}},
        headers={"X-Auth-Token": login.headers["X-Subject-Token"]},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    credential = response.json()["credential"]
    return Key(credential["access"], credential["secret"], PROJECT_ID, credential["securitytoken"])


# --- accepted, as the real gateway accepts them -------------------------------------------------


def test_a_query_that_needs_escaping_is_accepted_and_read_as_sent(
    live: LiveServer, control: ControlPlane, signer: Signer
) -> None:
    made = control.put_task({"name": AWKWARD_NAME})
    query = [("name", AWKWARD_NAME), ("limit", "5"), ("offset", "0")]

    response = signer(live.url, Call("GET", "/v3/tasks", query), Key()).send()

    assert response.status_code == 200, response.text
    assert [t["id"] for t in response.json()["tasks"]] == [made["id"]]


def test_a_json_body_is_accepted(live: LiveServer, signer: Signer) -> None:
    call = Call("POST", "/v3/tasks/sample-abort/action", body={"operation": "start"})

    response = signer(live.url, call, Key()).send()

    assert response.status_code == 200, response.text
    assert task(live, signer, "sample-abort")["state"] == "RUNNING"


def test_a_path_with_a_trailing_slash_is_accepted(live: LiveServer, signer: Signer) -> None:
    response = signer(live.url, Call("GET", "/v3/tasks/sample-ready/"), Key()).send()

    assert response.status_code == 200, response.text
    assert response.json()["id"] == "sample-ready"


def test_temporary_credentials_are_accepted(live: LiveServer, signer: Signer) -> None:
    key = temporary_key(live)

    assert task(live, signer, "sample-ready", key)["id"] == "sample-ready"


def test_a_repeated_query_key_in_the_order_sent_is_accepted(
    live: LiveServer, signer: Signer
) -> None:
    # Java signs a key's values in the order it sends them; the others sort them.
    query = [("state", "ABORT"), ("tag", "b"), ("tag", "a")]

    response = signer(live.url, Call("GET", "/v3/tasks", query), Key()).send()

    assert response.status_code == 200, response.text
    assert [t["id"] for t in response.json()["tasks"]] == ["sample-abort"]


def test_a_declared_payload_hash_on_an_empty_body_is_accepted(
    live: LiveServer, signer: Signer
) -> None:
    # A Content-Type that is not JSON makes the SDKs declare UNSIGNED-PAYLOAD; Go and Java sign
    # the declaration even without a body, Python the empty body's hash.
    call = Call("GET", "/v3/tasks/sample-ready", headers={"Content-Type": "text/plain"})

    response = signer(live.url, call, Key()).send()

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("name", "signs", "leaves_out"),
    [
        ("python", {"host", "content-type", "x-project-id", "x-sdk-date"}, set()),
        ("go-v3", {"x-project-id", "x-sdk-date", "user-agent"}, {"host", "content-type"}),
        ("golangsdk", {"content-type", "accept", "x-sdk-date"}, {"host", "x-project-id"}),
        ("java", {"host", "x-project-id", "x-sdk-date"}, {"content-type"}),
    ],
)
def test_each_signer_signs_its_own_headers(
    live: LiveServer, name: str, signs: set[str], leaves_out: set[str]
) -> None:
    call = Call("PUT", "/v3/tasks/sample-ready", body={"name": "renamed-by-" + name})

    signed = SIGNERS[name](live.url, call, Key())
    response = signed.send()

    assert response.status_code == 200, response.text
    assert signs <= set(signed.signed_headers)
    assert not leaves_out & set(signed.signed_headers)
    assert task(live, SIGNERS[name], "sample-ready")["name"] == "renamed-by-" + name


def test_java_signs_the_host_with_its_port(live: LiveServer) -> None:
    signed = SIGNERS["java"](live.url, Call("GET", "/v3/tasks/sample-ready"), Key())

    assert signed.headers["Host"] == f"127.0.0.1:{live.port}"
    assert signed.send().status_code == 200


def test_golangsdk_project_and_domain_added_after_signing_are_accepted(live: LiveServer) -> None:
    key = Key(project_id=None, domain_id=DOMAIN_ID)
    domains = golangsdk(live.iam_url, Call("GET", "/v3/auth/domains"), key).send()
    assert domains.status_code == 200, domains.text
    assert [d["id"] for d in domains.json()["domains"]] == [DOMAIN_ID]

    found = golangsdk(
        live.iam_url, Call("GET", "/v3/projects", [("name", "cn-north-4")]), Key(project_id=None)
    ).send()
    assert [p["id"] for p in found.json()["projects"]] == [PROJECT_ID]


# --- refused, whoever signed --------------------------------------------------------------------


def test_a_wrong_signature_is_refused(live: LiveServer, signer: Signer) -> None:
    key = replace(Key(), sk="not-the-secret-key")

    response = signer(live.url, Call("GET", "/v3/tasks/sample-ready"), key).send()

    message = refused(response, SIGNATURE_FAIL)
    assert message == AUTH_FAILED + SIGNATURE_FAIL


@pytest.mark.parametrize("minutes", [-20, 20])
def test_a_date_out_of_the_15_minute_window_is_refused(
    live: LiveServer, signer: Signer, minutes: int
) -> None:
    at = datetime.now(UTC) + timedelta(minutes=minutes)

    response = signer(live.url, Call("GET", "/v3/tasks/sample-ready"), Key(), at).send()

    refused(response, "calc ak sk signature fail:signature expired")


def test_an_unsigned_x_sdk_date_is_refused(live: LiveServer) -> None:
    signed = golangsdk(live.url, Call("GET", "/v3/tasks/sample-ready"), Key())
    # The same request, but a signer that left the date out of SignedHeaders.
    names = [name for name in signed.signed_headers if name != "x-sdk-date"]
    authorization = signed.headers["Authorization"].replace(
        "SignedHeaders=" + ";".join(signed.signed_headers), "SignedHeaders=" + ";".join(names)
    )
    unsigned = Signed(
        signed.method, signed.url, {**signed.headers, "Authorization": authorization}, signed.body
    )

    refused(unsigned.send(), f"{SIGNATURE_FAIL}, x-sdk-date is not signed")


def test_an_unsigned_x_project_id_of_another_account_is_refused(live: LiveServer) -> None:
    key = Key(project_id=OTHER_PROJECT_ID)

    response = golangsdk(live.url, Call("GET", "/v3/tasks"), key).send()

    refused(response, f"x-project-id {OTHER_PROJECT_ID} is not a project of ak {AK}")


def test_an_unsigned_x_domain_id_of_another_account_is_refused(live: LiveServer) -> None:
    key = Key(project_id=None, domain_id="f" * 32)

    response = golangsdk(live.iam_url, Call("GET", "/v3/auth/domains"), key).send()

    refused(response, f"x-domain-id {'f' * 32} is not the domain of ak {AK}")


def test_an_expired_security_token_is_refused(
    live: LiveServer, control: ControlPlane, signer: Signer
) -> None:
    key = temporary_key(live)
    control.advance(900)

    response = signer(live.url, Call("GET", "/v3/tasks/sample-ready"), key).send()

    refused(response, "x-security-token expires, expires_at: ")


def test_the_security_token_of_other_credentials_is_refused(
    live: LiveServer, signer: Signer
) -> None:
    mine, theirs = temporary_key(live), temporary_key(live)
    key = replace(mine, security_token=theirs.security_token)

    response = signer(live.url, Call("GET", "/v3/tasks/sample-ready"), key).send()

    refused(response, "verify x-security-token fail")


def test_a_temporary_ak_without_its_security_token_is_refused(
    live: LiveServer, signer: Signer
) -> None:
    key = replace(temporary_key(live), security_token=None)

    response = signer(live.url, Call("GET", "/v3/tasks/sample-ready"), key).send()

    refused(response, "x-security-token not found for the temporary ak")


def test_a_permanent_ak_with_an_unsigned_security_token_is_refused(live: LiveServer) -> None:
    key = replace(Key(), security_token=temporary_key(live).security_token)

    response = golangsdk(live.url, Call("GET", "/v3/tasks/sample-ready"), key).send()

    refused(response, f"x-security-token is given with the permanent ak {AK}")


def test_a_request_changed_after_signing_is_refused(live: LiveServer, signer: Signer) -> None:
    signed = signer(live.url, Call("GET", "/v3/tasks", [("state", "ABORT")]), Key())
    changed = replace(signed, url=signed.url.replace("ABORT", "READY"))

    refused(changed.send(), SIGNATURE_FAIL)
