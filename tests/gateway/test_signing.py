"""The SDK-HMAC-SHA256 recipe of `contracts/signing.py`, against the official SDK's own signer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from sms_mock.contracts import signing
from tests.support.accounts import AK, SK

DATE = "20250101T120000Z"
HOST = "sms.cn-north-4.myhuaweicloud.com"
USER_AGENT = "huaweicloud-usdk-python/3.0"


def sdk_sign(
    method: str,
    resource_path: str,
    query: list[tuple[str, Any]],
    headers: dict[str, str],
    body: bytes | str = b"",
) -> dict[str, str]:
    """The headers the SDK's own signer produces for a request, with a fixed X-Sdk-Date."""
    request = SdkRequest(
        method=method,
        schema="https",
        host=HOST,
        resource_path=resource_path,
        query_params=list(query),
        header_params={**headers, "X-Sdk-Date": DATE},
        body=body,
    )
    Signer(BasicCredentials(AK, SK)).sign(request)
    return dict(request.header_params)


def our_sign(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: dict[str, str],
    body: bytes = b"",
) -> dict[str, str]:
    return signing.sign(
        method,
        path,
        query,
        {**headers, "Host": HOST, "X-Sdk-Date": DATE},
        body,
        ak=AK,
        sk=SK,
        now=datetime(2030, 1, 1, tzinfo=UTC),  # unused: the date header is given
    )


SMS_HEADERS = {
    "User-Agent": USER_AGENT,
    "Content-Type": "application/json",
    "X-Project-Id": "aa672d6a0df5c7904ce88d2f516d242d",
}

# (name, method, SDK resource path, SDK query params, our decoded query, headers, body)
VECTORS = [
    pytest.param(
        "GET",
        "/v3/tasks",
        [("state", "RUNNING"), ("limit", 10), ("name", "my task~1+"), ("offset", 0)],
        [("state", "RUNNING"), ("limit", "10"), ("name", "my task~1+"), ("offset", "0")],
        SMS_HEADERS,
        b"",
        id="get-with-query",
    ),
    pytest.param(
        "POST",
        "/v3/tasks/sample-abort/action",
        [],
        [],
        SMS_HEADERS,
        json.dumps({"operation": "start"}).encode(),
        id="post-with-body",
    ),
    pytest.param(
        "GET",
        "/v3/tasks/a%20b%2Fc%25d",  # the SDK quotes path ids: "a b/c%d"
        [],
        [],
        SMS_HEADERS,
        b"",
        id="percent-encoded-path-id",
    ),
    pytest.param(
        "PUT",
        "/v3/tasks/t-1/log",
        [],
        [],
        {**SMS_HEADERS, "Content-Type": "application/octet-stream"},
        b"\x00\x01raw bytes",
        id="unsigned-payload",
    ),
    pytest.param(
        "GET",
        "/v3/auth/tokens",
        [("nocatalog", True), ("ids", ["b", "a"])],
        [("nocatalog", "true"), ("ids", "a"), ("ids", "b")],
        {
            "User-Agent": USER_AGENT,
            "X-Subject-Token": "MIIx-token",
            "Content-Type": "application/json",
        },
        b"",
        id="boolean-and-repeated-query",
    ),
    pytest.param(
        "GET",
        "/v3/projects",
        [("name", "cn-north-4")],
        [("name", "cn-north-4")],
        {"User-Agent": USER_AGENT, "X_Not_Signed": "underscore names are left out"},
        b"",
        id="underscore-header-not-signed",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "sdk_query", "query", "headers", "body"),
    VECTORS,
)
def test_signature_agrees_with_the_sdk_signer(
    method: str,
    path: str,
    sdk_query: list[tuple[str, Any]],
    query: list[tuple[str, str]],
    headers: dict[str, str],
    body: bytes,
) -> None:
    expected = sdk_sign(method, path, sdk_query, headers, body)
    ours = our_sign(method, path, query, headers, body)
    assert ours["Authorization"] == expected["Authorization"]
    assert ours.get(signing.CONTENT_SHA256_HEADER) == expected.get(signing.CONTENT_SHA256_HEADER)


def test_unsigned_payload_is_added_for_a_content_type_that_is_not_json() -> None:
    signed = our_sign("PUT", "/x", [], {"Content-Type": "text/plain"}, b"abc")
    assert signed[signing.CONTENT_SHA256_HEADER] == signing.UNSIGNED_PAYLOAD
    assert (
        "x-sdk-content-sha256"
        in signing.parse_authorization(signed["Authorization"]).signed_headers
    )


def test_json_payload_is_hashed() -> None:
    signed = our_sign("POST", "/x", [], {"Content-Type": "application/json;charset=utf-8"}, b"{}")
    assert signing.CONTENT_SHA256_HEADER not in signed


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/v3/tasks", "/v3/tasks/"),
        ("/v3/tasks/", "/v3/tasks/"),
        ("/v3/tasks/a%20b", "/v3/tasks/a%20b/"),
        ("/v3/tasks/a%2Fb", "/v3/tasks/a/b/"),  # decoded first: %2F becomes a real slash
        ("/v3/tasks/a~b", "/v3/tasks/a~b/"),
        ("/v3/tasks/a+b", "/v3/tasks/a%2Bb/"),
        ("/", "/"),
    ],
)
def test_canonical_uri_decodes_then_encodes_each_segment_with_a_trailing_slash(
    path: str, canonical: str
) -> None:
    assert signing.canonical_uri(path) == canonical


def test_canonical_query_is_sorted_by_key_then_value_and_encoded() -> None:
    pairs = [("name", "my task"), ("limit", "10"), ("ids", "b"), ("ids", "a")]
    assert signing.canonical_query(pairs) == "ids=a&ids=b&limit=10&name=my%20task"


def test_empty_body_hashes_as_empty_even_with_a_declared_hash() -> None:
    # The SDK's own quirk: the declared X-Sdk-Content-Sha256 counts only for a body.
    headers = {"x-sdk-content-sha256": signing.UNSIGNED_PAYLOAD}
    assert signing.payload_hash(b"", headers) == signing.EMPTY_HASH
    assert signing.payload_hash(b"x", headers) == signing.UNSIGNED_PAYLOAD


def test_signed_header_names_are_lower_case_sorted_without_underscores() -> None:
    names = ["X-Sdk-Date", "Host", "content-type", "X_Custom", "X-Project-Id"]
    assert signing.signed_header_names(names) == [
        "content-type",
        "host",
        "x-project-id",
        "x-sdk-date",
    ]


def test_authorization_header_round_trips() -> None:
    value = signing.format_authorization(AK, ["host", "x-sdk-date"], "ab" * 32)
    assert value == (
        f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-sdk-date, Signature={'ab' * 32}"
    )
    parsed = signing.parse_authorization(value)
    assert parsed == signing.Authorization("SDK-HMAC-SHA256", AK, ("host", "x-sdk-date"), "ab" * 32)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "SDK-HMAC-SHA256",
        "SDK-HMAC-SHA256 Access=AK,SignedHeaders=host,Signature=ab",  # no spaces
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=xyz",  # not hex
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host, Signature=ab",  # not lower-case
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x, Signature=ab",
        "SDK-HMAC-SHA256 Signature=ab, Access=AK, SignedHeaders=host",
    ],
)
def test_malformed_authorization_header_is_refused(value: str) -> None:
    with pytest.raises(signing.SignatureFormatError):
        signing.parse_authorization(value)


def test_date_round_trips_in_utc() -> None:
    moment = signing.parse_date(DATE)
    assert moment == datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert signing.format_date(moment) == DATE
    assert signing.format_date(moment.astimezone(UTC) + timedelta(hours=1)) == "20250101T130000Z"


@pytest.mark.parametrize("value", ["2025-01-01T12:00:00Z", "20250101T120000", "yesterday", ""])
def test_malformed_date_is_refused(value: str) -> None:
    with pytest.raises(signing.SignatureFormatError):
        signing.parse_date(value)


def test_sign_adds_the_date_when_absent() -> None:
    now = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    signed = signing.sign("GET", "/v3/tasks", [], {"Host": HOST}, b"", ak=AK, sk=SK, now=now)
    assert signed[signing.DATE_HEADER] == "20260304T050607Z"
    assert signing.parse_authorization(signed["Authorization"]).signed_headers == (
        "host",
        "x-sdk-date",
    )


def test_a_different_secret_gives_a_different_signature() -> None:
    one = our_sign("GET", "/v3/tasks", [], SMS_HEADERS)
    two = signing.sign(
        "GET",
        "/v3/tasks",
        [],
        {**SMS_HEADERS, "Host": HOST, "X-Sdk-Date": DATE},
        b"",
        ak=AK,
        sk=SK + "x",
        now=datetime.now(UTC),
    )
    assert one["Authorization"] != two["Authorization"]


# --- the other official signers' canonical forms ------------------------------------------------


def forms(
    path: str,
    query: list[tuple[str, str]],
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> list[str]:
    lowered = {"host": HOST, "x-sdk-date": DATE, **(headers or {})}
    return list(signing.canonical_requests("GET", path, query, lowered, sorted(lowered), body))


def test_a_plain_request_has_one_canonical_form_the_python_one() -> None:
    query = [("limit", "10"), ("name", "my task~1+")]
    headers = {"host": HOST, "x-sdk-date": DATE}
    expected = signing.canonical_request("GET", "/v3/tasks", query, headers, sorted(headers), b"")
    assert forms("/v3/tasks", query) == [expected]


def test_java_drops_every_trailing_empty_segment() -> None:
    assert signing.java_canonical_uri("/v3/tasks//") == "/v3/tasks/"
    assert signing.canonical_uri("/v3/tasks//") == "/v3/tasks//"
    assert signing.java_canonical_uri("/") == "/"
    assert signing.java_canonical_uri("/v3/tasks/a%20b") == "/v3/tasks/a%20b/"
    assert len(forms("/v3/tasks//", [])) == 2


def test_java_keeps_a_key_values_in_the_order_sent() -> None:
    pairs = [("tag", "b"), ("tag", "a")]
    assert signing.java_canonical_query(pairs) == "tag=b&tag=a"
    assert signing.canonical_query(pairs) == "tag=a&tag=b"
    assert len(forms("/v3/tasks", pairs)) == 2


def test_java_sorts_the_keys_once_encoded() -> None:
    # "é" sorts after "Z" as a character, but its escape "%C3%A9" sorts before it.
    pairs = [("aZ", "1"), ("aé", "2")]
    assert signing.canonical_query(pairs) == "aZ=1&a%C3%A9=2"
    assert signing.java_canonical_query(pairs) == "a%C3%A9=2&aZ=1"


def test_go_and_java_take_a_declared_hash_even_for_an_empty_body() -> None:
    headers = {"x-sdk-content-sha256": signing.UNSIGNED_PAYLOAD}
    assert signing.declared_payload_hash(b"", headers) == signing.UNSIGNED_PAYLOAD
    assert signing.declared_payload_hash(b"", {}) == signing.EMPTY_HASH
    assert signing.declared_payload_hash(b"x", {}) == signing.payload_hash(b"x", {})
    [python, go] = forms("/v3/tasks", [], headers=headers)
    assert python.endswith(signing.EMPTY_HASH)
    assert go.endswith(signing.UNSIGNED_PAYLOAD)
