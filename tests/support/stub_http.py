"""A requests adapter that answers from a function: for client-side tests that feed the client
generated or broken responses (the emulator itself never answers those)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import BaseAdapter

TOKEN_BODY = {
    "token": {
        "methods": ["password"],
        "expires_at": "2999-01-01T00:00:00.000000Z",
        "issued_at": "2026-01-01T00:00:00.000000Z",
        "catalog": [],
        "domain": None,
        "project": {"id": "p", "name": "cn-north-4", "domain": {"id": "d", "name": "mock-domain"}},
        "roles": [],
        "user": {"id": "u", "name": "mock-user", "password_expires_at": "",
                 "domain": {"id": "d", "name": "mock-domain"}, "OS-FEDERATION": None},
    }
}  # fmt: skip


@dataclass
class Answer:
    status: int
    body: Any = None  # JSON-ready data, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)


Responder = Callable[[requests.PreparedRequest], Answer | Exception]


class StubAdapter(BaseAdapter):
    """Answers every request with `responder(request)`; logs in first with a valid token."""

    def __init__(self, responder: Responder, *, login: bool = True) -> None:
        super().__init__()
        self.responder = responder
        self.login = login
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.requests.append(request)
        if self.login and request.method == "POST" and request.path_url.startswith("/v3/auth"):
            answer: Answer | Exception = Answer(201, TOKEN_BODY, {"X-Subject-Token": "MIIstub"})
        else:
            answer = self.responder(request)
        if isinstance(answer, Exception):
            raise answer
        response = requests.Response()
        response.status_code = answer.status
        body = answer.body
        response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response.headers.update({"Content-Type": "application/json", **answer.headers})
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def stub_session(
    responder: Responder, *, login: bool = True
) -> tuple[requests.Session, StubAdapter]:
    session = requests.Session()
    adapter = StubAdapter(responder, login=login)
    session.mount("http://", adapter)
    return session, adapter
