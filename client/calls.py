"""What every resource call of the client shares: the request check, paging, and the one call
(`SmsClient._call`) that the resource mixins (sources, templates, migprojects, settings,
task_settings) use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from marshmallow import Schema, ValidationError

from sms_mock.client.errors import ContractViolation
from sms_mock.contracts.base import every_problem

PAGE_SIZE = 100


def check_request(schema: type[Schema], body: dict[str, Any], what: str) -> None:
    """Refuse to send a body the server's contract would refuse."""
    try:
        schema().load(body)
    except ValidationError as exc:
        # Every wrong field, as the server would name them: one round trip fixes the body.
        field, problem = every_problem(exc)
        raise ContractViolation(what, field, problem, "request", body) from exc


def query_of(**values: Any) -> dict[str, str]:
    """The query parameters given (None left out), as text: booleans as `true` / `false`."""
    return {
        key: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for key, value in values.items()
        if value is not None
    }


def every_item(read_page: Callable[[int, int], Any], items: str, page_size: int) -> Iterator[Any]:
    """Every item of a paged list: `read_page(limit, offset)` answers a page with `count` (of
    every match) and the page's items in its field `items`."""
    offset = 0
    while True:
        page = read_page(page_size, offset)
        batch = getattr(page, items)
        yield from batch
        offset += len(batch)
        if not batch or offset >= page.count:
            return


class Calls:
    """The base of the resource mixins: the one SMS call they make, which `SmsClient` defines."""

    def _call(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        text: bool = False,
    ) -> Any:
        raise NotImplementedError

    def _read(self, path: str, params: dict[str, str] | None = None) -> Any:
        """A GET: retried as the client's retry policy allows."""
        return self._call("GET", path, params=params, idempotent=True)

    def _write(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, text: bool = False
    ) -> Any:
        """A create, an update, an action or a delete: never retried. With `text`, the answer's
        text as it came (a CSV export), not JSON."""
        return self._call(method, path, body=body, idempotent=False, text=text)
