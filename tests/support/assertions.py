"""What an answer must be, checked in one place: error bodies (README, "The HTTP API", "Errors"),
a refused request that changes nothing, and a document that keeps what it was given.

An error body comes in one of four formats, told apart by its code:

- the SMS service's: `{"error_code": "SMS.xxxx", "error_msg": ...}`, and the emulator's own in
  its shape, `{"error_code": "MOCK.xxxx", ...}`;
- IAM's own (`/v3.0` calls): `{"error_code": "IAM.xxxx", "error_msg": ...}`;
- the API gateway's: `{"error_code": "APIGW.xxxx", "error_msg": ..., "request_id": ...}`, whose
  `request_id` is the answer's `X-Request-Id`;
- Keystone's: `{"error": {"code": <the status>, "message": ..., "title": ...}}`.

A refused field is named in the message after a fixed head, as `<field>: <problem>`, then
`; <field>: <problem>` for every other field refused with it (`error_problems`):

- SMS and MOCK: the catalogue's message for the code, a space, then the fields
  (`The JSON request body does not meet the specifications. operation: Must be one of: ...`);
  SMS.7711 names the task name with the value given: `name '<value>': <the naming rule>`;
- Keystone's 400: `Invalid input for field '<field>': <problem>`, then the others;
- IAM.0007: `Request parameter <field> is invalid: <problem>`, then the others.

A field is the dotted path of a key in the body (list items numbered: `ids.0`), `body` for the
body as a whole, or the name of a query parameter or of a part of the path (`task_id`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from werkzeug.test import TestResponse

from sms_mock.contracts.error_codes import CATALOGUE
from sms_mock.contracts.errors import (
    ApigwErrorSchema,
    IamErrorSchema,
    KeystoneErrorSchema,
    MockErrorSchema,
    SmsErrorSchema,
)
from sms_mock.mock_server.emulator import Emulator

# The start of every APIGW.0301 message; the reason follows it.
AUTH_FAILED = "Incorrect IAM authentication information: "

SMS_KEYS = {"error_code", "error_msg"}
APIGW_KEYS = {"error_code", "error_msg", "request_id"}
KEYSTONE_KEYS = {"code", "message", "title"}

Response = TestResponse | requests.Response

# The catalogue's message of each SMS and MOCK code: the head of its answers' error_msg.
CATALOGUE_MESSAGES = {row.code: row.message for row in CATALOGUE}
KEYSTONE_FIELD = re.compile(r"Invalid input for field '(?P<field>.+?)': (?P<rest>.*)", re.S)
IAM_FIELD = re.compile(r"Request parameter (?P<field>.+?) is invalid: (?P<rest>.*)", re.S)
# SMS.7711 names the name given, quoted as Python quotes it, before the rule.
TASK_NAME_DETAIL = re.compile(r"name (?:'.*'|\".*\"): (?P<rule>.*)", re.S)
# marshmallow's problem for a required key that is absent, as the emulator passes it on.
MISSING = "Missing data for required field."


def _json(response: Response) -> Any:
    return response.get_json() if isinstance(response, TestResponse) else response.json()


def _text(response: Response) -> str:
    if isinstance(response, TestResponse):
        return response.get_data(as_text=True)
    return response.text


def has_request_id(response: Response) -> str:
    """The answer's `X-Request-Id`, which every answer carries."""
    request_id = response.headers.get("X-Request-Id", "")
    assert request_id, f"no X-Request-Id on a {response.status_code} answer"
    return request_id


def error_body(response: Response, status: int, code: str | Collection[str]) -> dict[str, Any]:
    """The error body of `response`, once it is checked to be the error `code` with `status`.

    `code` is an SMS code (`"SMS.7703"`), one of the emulator's own (`"MOCK.0400"`), an IAM
    code (`"IAM.0007"`), a gateway code (`"APIGW.0301"`) or, for a Keystone body, its title
    (`"Unauthorized"`): Keystone's own code is the status. Several codes of one format accept
    any of them. Checked: the status, `X-Request-Id`, the body through the contract schema of
    its format, its exact keys, the code, and a gateway body's `request_id`.
    `response` is a Flask test client's answer or a `requests` one.
    """
    codes = {code} if isinstance(code, str) else set(code)
    assert codes, "no code given"
    assert response.status_code == status, f"{response.status_code}: {_text(response)[:500]}"
    request_id = has_request_id(response)
    body = _json(response)
    if all(c.startswith("SMS.") for c in codes):
        SmsErrorSchema().load(body)
        assert set(body) == SMS_KEYS, body
        assert body["error_code"] in codes, body
    elif all(c.startswith("MOCK.") for c in codes):
        MockErrorSchema().load(body)
        assert set(body) == SMS_KEYS, body
        assert body["error_code"] in codes, body
    elif all(c.startswith("IAM.") for c in codes):
        IamErrorSchema().load(body)
        assert set(body) == SMS_KEYS, body
        assert body["error_code"] in codes, body
    elif all(c.startswith("APIGW.") for c in codes):
        ApigwErrorSchema().load(body)
        assert set(body) == APIGW_KEYS, body
        assert body["error_code"] in codes, body
        assert body["request_id"] == request_id, "request_id is not the X-Request-Id header"
    else:
        assert not any(c.startswith(("SMS.", "MOCK.", "IAM.", "APIGW.")) for c in codes), codes
        KeystoneErrorSchema().load(body)
        assert set(body) == {"error"}, body
        assert set(body["error"]) == KEYSTONE_KEYS, body
        assert body["error"]["code"] == status, body
        assert body["error"]["title"] in codes, body
    return body


ERROR_SCHEMAS = (SmsErrorSchema, ApigwErrorSchema, KeystoneErrorSchema, IamErrorSchema,
                 MockErrorSchema)  # fmt: skip


def any_error_code(body: Any) -> str:
    """The code of an error body in any of the service's formats (Keystone's: its title)."""
    for schema in ERROR_SCHEMAS:
        if not schema().validate(body):
            return body["error"]["title"] if "error" in body else body["error_code"]
    raise AssertionError(f"an error body in no known format: {body}")


def error_message(response: Response, status: int, code: str | Collection[str]) -> str:
    """The message of an error body (`error_msg`, or Keystone's `message`), as `error_body`."""
    body = error_body(response, status, code)
    return body["error"]["message"] if "error" in body else body["error_msg"]


def catalogued(code: str, detail: str) -> str:
    """The error_msg of an SMS or MOCK answer: the catalogue's message of `code`, then `detail`."""
    return f"{CATALOGUE_MESSAGES[code]} {detail}"


def error_detail(response: Response, status: int, code: str | Collection[str]) -> str:
    """What an error's message says after its fixed head, as `error_body` checks it:
    `<field>: <problem>[; <field>: <problem>]...` (Keystone's and IAM's first field unquoted).

    The head must be the format's: for an SMS or MOCK code, the catalogue's message of the code
    the body carries, then one space.
    """
    body = error_body(response, status, code)
    if "error" in body:
        match = KEYSTONE_FIELD.fullmatch(body["error"]["message"])
        assert match, f"no field named in {body}"
        return f"{match['field']}: {match['rest']}"
    message, answered = body["error_msg"], body["error_code"]
    if answered.startswith("IAM."):
        match = IAM_FIELD.fullmatch(message)
        assert match, f"no field named in {body}"
        return f"{match['field']}: {match['rest']}"
    head = CATALOGUE_MESSAGES.get(answered)
    assert head is not None, f"{answered} is no code of the catalogue: {body}"
    assert message.startswith(f"{head} "), f"not the catalogue's message then a detail: {body}"
    return message.removeprefix(f"{head} ")


def error_problems(
    response: Response, status: int, code: str | Collection[str]
) -> list[tuple[str, str]]:
    """(field, problem) for every field the error's message names, in its order.

    A field holding `": "` (a key of a free-form mapping may) cannot be told from its problem:
    compare such a message through `error_detail`.
    """
    detail = error_detail(response, status, code)
    body = _json(response)
    if body.get("error_code") == "SMS.7711":
        match = TASK_NAME_DETAIL.fullmatch(detail)
        assert match, f"SMS.7711 names no task name: {detail!r}"
        return [("name", match["rule"])]
    entries: list[str] = []
    for piece in detail.split("; "):
        if entries and ": " not in piece:
            entries[-1] += f"; {piece}"  # a problem that itself holds "; "
        else:
            entries.append(piece)
    problems = []
    for entry in entries:
        field, separator, problem = entry.partition(": ")
        assert separator and field and problem, f"not '<field>: <problem>': {entry!r} in {body}"
        problems.append((field, problem))
    return problems


def error_fields(response: Response, status: int, code: str | Collection[str]) -> list[str]:
    """The fields the error's message names, in its order (`error_problems`)."""
    return [field for field, _ in error_problems(response, status, code)]


_ABSENT = object()


def _value_at(body: Any, path: str) -> Any:
    value = body
    for key in path.split("."):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return _ABSENT
    return value


def _join(*segments: str) -> str:
    # marshmallow files a mapping's entry under its key, and drops a key that is "" or
    # "_schema" from the path (`contracts.base.error_paths`).
    return ".".join(s for s in segments if s not in ("", "_schema"))


def names_the_wrong_field(
    response: Response, status: int, code: str | Collection[str], body: Any, path: str
) -> None:
    """The error names the field `strategies.invalid` made wrong at `path` in `body`, by this
    rule, and nothing else:

    - exactly `[path]`: a key dropped, a value of the wrong type or out of its range, an
      unknown key, a list too long or too short, a wrong list item (`ids.0`);
    - when the wrong value at `path` is an empty object `{}` where an object of a schema is
      due: the keys inside it that make it wrong, each `path.<key>` (every required key it
      lacks, or the key one of its validators names), at least one;
    - when the value at `path` is a mapping the strategy added one bad entry to: that one
      entry, `path.<its key>.key` or `path.<its key>.value`, as marshmallow files it.
    """
    value = _value_at(body, path)
    if isinstance(value, dict) and value:
        detail = error_detail(response, status, code)
        entries = [_join(path, str(key), part) for key in value for part in ("key", "value")]
        # Compared on the detail itself: the key may hold ": " or "; ".
        assert any(detail.startswith(f"{entry}: ") for entry in entries), (path, detail)
        return
    fields = error_fields(response, status, code)
    if fields == [path]:
        return
    if value == {}:
        assert fields, path
        assert len(set(fields)) == len(fields), fields
        for field in fields:
            inner = field.removeprefix(f"{path}.")
            assert field == f"{path}.{inner}" and inner and "." not in inner, (path, fields)
        return
    assert fields == [path], (path, fields)


@contextmanager
def changes_nothing(emulator: Emulator) -> Iterator[None]:
    """The block leaves every task and resource of the emulator as it was, byte for byte."""
    before = emulator.sms.export()
    yield
    assert emulator.sms.export() == before, "a refused request changed the tasks or resources"


def keeps_every_given_field(given: Any, answer: Any) -> bool:
    """Every key given, at every level, comes back with its value; keys may be added."""
    if isinstance(given, dict):
        return isinstance(answer, dict) and all(
            key in answer and keeps_every_given_field(value, answer[key])
            for key, value in given.items()
        )
    if isinstance(given, list):
        return (
            isinstance(answer, list)
            and len(given) == len(answer)
            and all(keeps_every_given_field(g, a) for g, a in zip(given, answer, strict=True))
        )
    return type(given) is type(answer) and given == answer
