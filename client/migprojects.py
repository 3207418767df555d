"""Migration projects (`/v3/migprojects`): a mixin of `SmsClient`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sms_mock.client import models
from sms_mock.client.calls import PAGE_SIZE, Calls, check_request, every_item, query_of
from sms_mock.contracts.migprojects import (
    CreateMigprojectRequestSchema,
    MigprojectListQuerySchema,
    MigprojectListSchema,
    MigprojectShowSchema,
    UpdateMigprojectRequestSchema,
)
from sms_mock.contracts.sources import IdResponseSchema


class MigprojectsMixin(Calls):
    """Create, read, update, make default and delete the project's migration projects."""

    def create_migproject(self, body: dict[str, Any]) -> str:
        """Create a migproject from a PostMigProjectBody (`name`, `region`, `type`); its id."""
        check_request(CreateMigprojectRequestSchema, body, "create migproject request")
        answer = self._write("POST", "/v3/migprojects", body)
        return models.load(IdResponseSchema, answer, "create migproject response").id

    def get_migproject(self, migproject_id: str) -> models.MigprojectDetail:
        """The migproject (`client.models.MigprojectDetail`: the show answer has no `id`)."""
        body = self._read(f"/v3/migprojects/{migproject_id}")
        return models.load(MigprojectShowSchema, body, "migproject")

    def list_migprojects(self, *, page_size: int = PAGE_SIZE) -> Iterator[models.Migproject]:
        """Every migproject of the project (`client.models.Migproject`), page after page."""
        return every_item(
            lambda limit, offset: self.list_migprojects_page(limit=limit, offset=offset),
            "migprojects",
            page_size,
        )

    def list_migprojects_page(
        self, *, limit: int = PAGE_SIZE, offset: int = 0
    ) -> models.MigprojectPage:
        """One page (`client.models.MigprojectPage`: `count` of all, `migprojects`)."""
        params = query_of(limit=limit, offset=offset)
        check_request(MigprojectListQuerySchema, params, "migproject list query")
        body = self._read("/v3/migprojects", params)
        return models.load(MigprojectListSchema, body, "migproject list")

    def update_migproject(self, migproject_id: str, **fields: Any) -> None:
        """Replace the given fields of the migproject."""
        check_request(UpdateMigprojectRequestSchema, fields, "update migproject request")
        self._write("PUT", f"/v3/migprojects/{migproject_id}", fields)

    def set_default_migproject(self, migproject_id: str) -> None:
        """Make the migproject the project's default (the one default: the others stop being)."""
        self._write("PUT", f"/v3/migprojects/{migproject_id}/default")

    def delete_migproject(self, migproject_id: str) -> None:
        """Delete the migproject (refused for the default one and one holding sources)."""
        self._write("DELETE", f"/v3/migprojects/{migproject_id}")
