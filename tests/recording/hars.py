"""HAR 1.2 files built in a test, entry by entry, as `sms-mock proxy --record` writes them (or
with the optional fields left out, as other tools do)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BASE = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)
URL = "https://sms.cn-north-4.myhuaweicloud.com"


def entry(
    method: str,
    path: str,
    status: int = 200,
    answer: Any = None,
    sent: Any = None,
    *,
    second: float = 0,
    full: bool = True,
) -> dict[str, Any]:
    """One exchange `second` seconds after BASE; `full=False` leaves out what HAR 1.2 calls
    optional or a browser omits (postData, content.text for no body, timings, cookies)."""
    started = (BASE + timedelta(seconds=second)).isoformat().replace("+00:00", "Z")
    request: dict[str, Any] = {"method": method, "url": URL + path}
    response: dict[str, Any] = {"status": status}
    if full:
        request.update(
            httpVersion="HTTP/1.1", headers=[], queryString=[], cookies=[], headersSize=-1
        )
        request["bodySize"] = -1
        response.update(statusText="", httpVersion="HTTP/1.1", headers=[], cookies=[])
        response.update(redirectURL="", headersSize=-1, bodySize=-1)
    if sent is not None:
        request["postData"] = {"mimeType": "application/json", "text": json.dumps(sent)}
    text = None if answer is None else json.dumps(answer)
    if text is not None or full:
        response["content"] = {"size": len(text or ""), "mimeType": "application/json"}
        if text is not None:
            response["content"]["text"] = text
    found: dict[str, Any] = {"startedDateTime": started, "request": request, "response": response}
    if full:
        found.update(time=1, cache={}, timings={"send": 0, "wait": 1, "receive": 0})
    return found


def har(*entries: dict[str, Any]) -> dict[str, Any]:
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "sms-mock proxy", "version": "test"},
            "entries": list(entries),
        }
    }


def write(path: Path, *entries: dict[str, Any]) -> Path:
    path.write_text(json.dumps(har(*entries)), encoding="utf-8")
    return path
