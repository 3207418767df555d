"""What waitress answers itself, before the app sees a request, in the emulator's own bodies.

A request waitress refuses (headers over 256 KiB, a malformed request line) would otherwise get
waitress's plain-text page; a client of the real service gets a JSON `APIGW.0201` answer from
the gateway, so the emulator answers that, with waitress's status.

A body over its route's limit (gateway/body_limits.py) is refused here too, from the request's
head: its `Content-Length` (a chunked body once it passes the limit), before the rest of it is
received, with the route's own answer (SMS's `SMS.6014`, the control plane's `MOCK.0410`, the
gateway's 413 elsewhere).
"""

from __future__ import annotations

import time
from typing import Any

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.task import ErrorTask
from waitress.utilities import Error, RequestEntityTooLarge

from sms_mock.mock_server.core.errors import ApiError, request_refused
from sms_mock.mock_server.gateway.body_limits import RouteBodyLimits
from sms_mock.mock_server.gateway.middleware import new_request_id


class RefusedUnread(Error):
    """A request refused before its body was read: the route's own answer to give."""

    def __init__(self, answer: ApiError) -> None:
        super().__init__(answer.message)
        self.answer = answer
        self.code = answer.status
        self.reason = answer.message


class GatewayErrorTask(ErrorTask):
    def execute(self) -> None:
        error = self.request.error
        request_id = new_request_id()  # the app never saw this request: its one id is made here
        if isinstance(error, RefusedUnread):
            answer = error.answer
        else:
            answer = request_refused(error.code, error.reason)
        status_line, headers, body = answer.wsgi_answer(request_id)
        self.status = status_line
        self.response_headers.extend(
            [(name, value) for name, value in headers if name != "Content-Length"]
        )
        # What the client sent beyond the head is left unread: the connection cannot go on.
        self.response_headers.append(("Connection", "close"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class GatewayRequestParser(HTTPRequestParser):
    """waitress's parser, which refuses a body over its route's limit before reading it, and
    tells its channel when a request's head is complete (the head deadline's end)."""

    def __init__(self, adj: Any, channel: GatewayChannel | None = None) -> None:
        super().__init__(adj)
        self.channel = channel

    def received(self, data: bytes) -> int:
        head_was_complete = self.headers_finished
        consumed = super().received(data)
        if self.empty:  # blank lines before a request: no head yet
            return consumed
        if not head_was_complete and self.headers_finished:
            if self.channel is not None:
                self.channel.head_complete()
            self._refuse_over(self.content_length)
        if self.chunked and self.body_rcv is not None:
            self._refuse_over(len(self.body_rcv))  # the body as decoded so far
        return consumed

    def _refuse_over(self, size: int) -> None:
        limits = self.channel.body_limits if self.channel is not None else None
        # waitress's own 413 (a body past what it takes at all) gets the route's answer too.
        open_to_refusal = self.error is None or isinstance(self.error, RequestEntityTooLarge)
        if limits is None or not open_to_refusal:
            return
        answer = limits.refusal(self.command, self.path, size, self.headers)
        if answer is not None:
            self.error = RefusedUnread(answer)
            self.completed = True
            self.expect_continue = False  # no "100 Continue": the answer is final


class GatewayChannel(HTTPChannel):
    """A connection whose refusals are the gateway's, and which knows since when its current
    request's head has been arriving (`head_started`, None between requests and while a body
    is read)."""

    error_task_class = GatewayErrorTask
    head_started: float | None = None

    def __init__(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
        super().__init__(server, sock, addr, adj, map)
        self.body_limits: RouteBodyLimits | None = getattr(server, "body_limits", None)

    def parser_class(self, adj: Any) -> GatewayRequestParser:  # type: ignore[override]
        return GatewayRequestParser(adj, self)

    def received(self, data: bytes) -> bool:
        now = time.monotonic()
        if data and self.head_started is None:
            self.head_started = now
        result = super().received(data)
        request = self.request
        if self.head_started is None and request is not None and not request.headers_finished:
            self.head_started = now  # the next request's head began in the same read
        return result

    def head_complete(self) -> None:
        self.head_started = None

    def head_overdue(self, started_before: float) -> bool:
        """Whether the head now arriving began before `started_before` (time.monotonic())."""
        return self.head_started is not None and self.head_started < started_before
