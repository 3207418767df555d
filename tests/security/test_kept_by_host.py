"""What the emulator keeps by the request's `Host` (the IP answers, a token catalog's parts)
stays small however long a Host a caller sends: such a Host is not taken as the emulator's."""

from __future__ import annotations

import pytest

from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.gateway.request_origin import HostAllowList, _is_ip
from tests.support.accounts import password_body

TOKENS = "/v3/auth/tokens"


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:" + "9" * 50_000,  # an IP address, a port of 50,000 digits
        "[fe80::1%" + "z" * 50_000 + "]",  # an IPv6 address with a zone 50,000 long
    ],
)
def test_a_token_catalog_never_names_an_overlong_host(host: str) -> None:
    client = create_app(Config()).test_client()
    response = client.post(TOKENS, json=password_body(), headers={"Host": host})
    assert response.status_code == 201
    assert b"9" * 100 not in response.data and b"z" * 100 not in response.data
    urls = [e["url"] for s in response.get_json()["token"]["catalog"] for e in s["endpoints"]]
    assert urls and all(len(url) < 100 for url in urls)


def test_an_overlong_name_is_refused_before_it_is_kept() -> None:
    hosts = HostAllowList.of("127.0.0.1")
    before = _is_ip.cache_info().currsize
    assert not hosts.allows("a" * 5_000)
    assert not hosts.allows("127.0.0.1:" + "1" * 6)
    assert _is_ip.cache_info().currsize == before
    assert hosts.allows("localhost:8080") and hosts.allows("[::1]:65535")
