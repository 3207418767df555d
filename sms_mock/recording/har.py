"""HAR 1.2 files, read for the SMS exchanges they hold.

`sms-mock proxy --record` writes HAR 1.2; browsers and other proxies write it too, leaving out
fields the specification calls optional (`postData`, `content.text`, `cookies`, timings) or
writing bodies in base64. Only what a scenario needs is read: each entry's time, method, URL,
request body, status and answer body. A file that is not HAR gets a `HarError` naming the entry
and the field, never a traceback.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit


class HarError(ValueError):
    """A file that is not HAR; the message names the entry and the field."""


@dataclass(frozen=True)
class Exchange:
    """One entry of a HAR file: a request and its answer."""

    index: int  # the entry's index in `log.entries`, as the file has it
    started_ms: int | None  # `startedDateTime` in epoch ms; None when absent or unreadable
    method: str
    path: str  # the URL's path from its `/v3/` on (a proxy may sit under a prefix)
    query: dict[str, str]
    request_text: str | None
    status: int
    response_text: str | None

    def request_json(self) -> Any:
        return _json_or_none(self.request_text)

    def response_json(self) -> Any:
        return _json_or_none(self.response_text)


@dataclass(frozen=True)
class HarLog:
    entries: int  # every entry in the file, SMS or not
    exchanges: tuple[Exchange, ...]  # in time order (the file's order where times tie)
    cut: bool = False  # its last entry was cut off (the recorder was killed as it wrote it)


def _json_or_none(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _epoch_ms(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise HarError(f"{where}: expected a JSON object")
    return value


def _text(holder: dict[str, Any], key: str, where: str) -> str | None:
    """A body: `postData.text` or `content.text`, decoded when `encoding` says base64."""
    text = holder.get(key)
    if text is None:
        return None
    if not isinstance(text, str):
        raise HarError(f"{where}.{key}: expected a string")
    if holder.get("encoding") == "base64":
        try:
            return base64.b64decode(text, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError) as exc:
            raise HarError(f"{where}.{key}: not base64, as its encoding says") from exc
    return text


def _body(holder: dict[str, Any], key: str, where: str) -> str | None:
    """`request.postData.text` or `response.content.text`; either may be left out."""
    part = holder.get(key)
    if part is None:
        return None
    return _text(_object(part, f"{where}.{key}"), "text", f"{where}.{key}")


def _exchange(index: int, raw: Any) -> Exchange | None:
    where = f"log.entries.{index}"
    entry = _object(raw, where)
    request = _object(entry.get("request"), f"{where}.request")
    response = _object(entry.get("response"), f"{where}.response")
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or not method:
        raise HarError(f"{where}.request.method: expected a method, such as GET")
    if not isinstance(url, str) or not url:
        raise HarError(f"{where}.request.url: expected a URL")
    status = response.get("status")
    if isinstance(status, bool) or not isinstance(status, int):
        raise HarError(f"{where}.response.status: expected an integer")
    request_text = _body(request, "postData", f"{where}.request")
    response_text = _body(response, "content", f"{where}.response")
    parts = urlsplit(url)
    at = parts.path.find("/v3/")
    if status == 0 or at < 0:
        return None  # no answer (a browser's aborted request), or not an SMS or IAM v3 call
    return Exchange(
        index=index,
        started_ms=_epoch_ms(entry.get("startedDateTime")),
        method=method.upper(),
        path=parts.path[at:],
        query=dict(parse_qsl(parts.query)),
        request_text=request_text,
        status=status,
        response_text=response_text,
    )


def _without_cut_entry(text: str) -> Any:
    """A recording whose writer was killed in the middle of an entry, read without it: the
    proxy writes one entry a line, so the cut is its last line (and the comma before it)."""
    head, newline, _ = text.rstrip("\n").rpartition("\n")
    if not newline:
        return None
    try:
        return json.loads(head.rstrip().removesuffix(",") + "\n]}}")
    except ValueError:
        return None


def parse_har(data: bytes) -> HarLog:
    """A HAR file's content; raises HarError naming what is wrong."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HarError("not UTF-8 text: not a HAR file") from exc
    cut = False
    try:
        document = json.loads(text)
    except ValueError as exc:
        document = _without_cut_entry(text)
        if document is None:
            raise HarError(f"not JSON ({exc}): not a HAR file") from exc
        cut = True
    if not isinstance(document, dict) or not isinstance(document.get("log"), dict):
        raise HarError('log: missing: not a HAR file (expected {"log": {"entries": [...]}})')
    log = document["log"]
    entries = log.get("entries")
    if not isinstance(entries, list):
        raise HarError("log.entries: expected a list of entries")
    found = [e for i, raw in enumerate(entries) if (e := _exchange(i, raw)) is not None]
    # Entry time orders them; one without a time stays where the file put it.
    ordered, last = [], None
    for exchange in found:
        last = exchange.started_ms if exchange.started_ms is not None else last
        ordered.append((last if last is not None else 0, exchange.index, exchange))
    ordered.sort(key=lambda item: (item[0], item[1]))
    return HarLog(len(entries), tuple(item[2] for item in ordered), cut)
