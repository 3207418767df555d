"""HAR 1.2's required fields, of the types its specification gives them: what a HAR reader may
count on in a recording."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def _is_time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _name_values(items: Any) -> bool:
    return isinstance(items, list) and all(
        isinstance(i, dict) and isinstance(i.get("name"), str) and isinstance(i.get("value"), str)
        for i in items
    )


def assert_har_1_2(document: Any) -> list[dict[str, Any]]:
    """The fields HAR 1.2 requires, of the types it gives them; the entries."""
    log = document["log"]
    assert log["version"] == "1.2"
    assert isinstance(log["creator"]["name"], str) and isinstance(log["creator"]["version"], str)
    entries = log["entries"]
    assert isinstance(entries, list)
    for entry in entries:
        assert _is_time(entry["startedDateTime"]), entry["startedDateTime"]
        assert isinstance(entry["time"], int | float) and entry["time"] >= 0
        request, response = entry["request"], entry["response"]
        assert isinstance(request["method"], str) and request["url"].startswith("http")
        assert request["httpVersion"].startswith("HTTP/")
        for part in (request, response):
            assert isinstance(part["cookies"], list) and _name_values(part["headers"])
            assert isinstance(part["headersSize"], int) and isinstance(part["bodySize"], int)
        assert _name_values(request["queryString"])
        if "postData" in request:
            assert isinstance(request["postData"]["mimeType"], str)
            assert isinstance(request["postData"]["text"], str)
        assert isinstance(response["status"], int) and isinstance(response["statusText"], str)
        assert response["httpVersion"].startswith("HTTP/")
        content = response["content"]
        assert isinstance(content["size"], int) and isinstance(content["mimeType"], str)
        assert isinstance(response["redirectURL"], str)
        assert isinstance(entry["cache"], dict)
        timings = entry["timings"]
        assert all(isinstance(timings[key], int | float) for key in ("send", "wait", "receive"))
    return entries
