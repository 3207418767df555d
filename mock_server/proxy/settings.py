"""`ProxySettings`: where the proxy forwards, with which credentials, and what it does with a
violation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sms_mock.credentials import Credentials

DEFAULT_CONNECT_TIMEOUT_S = 10.0
# The real service answers within seconds; a slow export may take longer.
DEFAULT_READ_TIMEOUT_S = 60.0
# Violations `GET /_mock/violations` keeps; the oldest fall out.
DEFAULT_VIOLATIONS_KEPT = 1000


def checked_url(value: str, option: str = "--upstream") -> str:
    """An http:// or https:// base URL (a path prefix allowed), without its trailing slash;
    ValueError naming `option` otherwise."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{option} must be an http:// or https:// URL, not {value!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"{option} takes no query or fragment: {value!r}")
    return value.strip().rstrip("/")


@dataclass(frozen=True)
class ProxySettings:
    upstream: str  # SMS's endpoint, e.g. https://sms.cn-north-4.myhuaweicloud.com
    iam_upstream: str | None = None  # IAM's, when it is elsewhere: every IAM operation goes there
    credentials: Credentials = field(default_factory=Credentials)  # re-signs AK/SK requests
    record: Path | None = None  # the HAR file
    strict: bool = False  # a violating answer becomes 502 MOCK.0503
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    read_timeout_s: float = DEFAULT_READ_TIMEOUT_S
    violations_kept: int = DEFAULT_VIOLATIONS_KEPT

    def __post_init__(self) -> None:
        object.__setattr__(self, "upstream", checked_url(self.upstream))
        if self.iam_upstream is not None:
            object.__setattr__(
                self, "iam_upstream", checked_url(self.iam_upstream, "--iam-upstream")
            )
