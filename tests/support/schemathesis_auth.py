"""The token schemathesis sends: one auth for every schema the contract tests load."""

from __future__ import annotations

from typing import Any

from schemathesis.generation.case import Case


def use_token(schema: Any, token: str) -> None:
    """Every case of `schema` carries the project-scoped `token` in `X-Auth-Token`, but a case
    that tests the header itself."""

    @schema.auth(refresh_interval=None, retry_on=[])
    class ProjectToken:
        def get(self, case: Case, context: Any) -> str:
            return token

        def set(self, case: Case, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "X-Auth-Token": data}
