"""The errors waitress answers itself get the gateway's body too.

A request waitress refuses before the app sees it (headers over 256 KiB, a malformed request
line) would otherwise get waitress's plain-text page; a client of the real service gets a JSON
`APIGW.0201` answer from the gateway, so the emulator answers that, with waitress's status.
"""

from __future__ import annotations

from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from sms_mock.mock_server.core.errors import request_refused
from sms_mock.mock_server.gateway.middleware import new_request_id


class GatewayErrorTask(ErrorTask):
    def execute(self) -> None:
        error = self.request.error
        request_id = new_request_id()  # the app never saw this request: its one id is made here
        _, headers, body = request_refused(error.code, error.reason).wsgi_answer(request_id)
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(
            [(name, value) for name, value in headers if name != "Content-Length"]
        )
        self.response_headers.append(("Connection", "close"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class GatewayChannel(HTTPChannel):
    error_task_class = GatewayErrorTask
