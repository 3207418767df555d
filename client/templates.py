"""Server templates (`/v3/vm/templates`): a mixin of `SmsClient`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sms_mock.client import models
from sms_mock.client.calls import PAGE_SIZE, Calls, check_request, every_item, query_of
from sms_mock.contracts.sources import DeleteIdsRequestSchema, IdResponseSchema
from sms_mock.contracts.templates import (
    CreateTemplateRequestSchema,
    TargetPasswordSchema,
    TemplateListQuerySchema,
    TemplateListSchema,
    TemplateShowSchema,
    UpdateTemplateRequestSchema,
)


class TemplatesMixin(Calls):
    """Create, read, update and delete the project's server templates."""

    def create_template(self, template: dict[str, Any]) -> str:
        """Create a template from a TemplateRequest (sent as `{"template": ...}`); its id."""
        body = {"template": template}
        check_request(CreateTemplateRequestSchema, body, "create template request")
        answer = self._write("POST", "/v3/vm/templates", body)
        return models.load(IdResponseSchema, answer, "create template response").id

    def get_template(self, template_id: str) -> models.Template:
        """The template (`client.models.Template`), out of the show answer's `template`."""
        body = self._read(f"/v3/vm/templates/{template_id}")
        return models.load(TemplateShowSchema, body, "template").template

    def list_templates(
        self,
        *,
        name: str | None = None,
        availability_zone: str | None = None,
        region: str | None = None,
        id: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[models.Template]:
        """Every matching template (`client.models.Template`), page after page."""
        query = query_of(name=name, availability_zone=availability_zone, region=region, id=id)
        return every_item(
            lambda limit, offset: self.list_templates_page(limit=limit, offset=offset, **query),
            "templates",
            page_size,
        )

    def list_templates_page(
        self, *, limit: int = 50, offset: int = 0, **query: Any
    ) -> models.TemplatePage:
        """One page (`client.models.TemplatePage`: `count` of all matches, `templates`)."""
        params = query_of(**query, limit=limit, offset=offset)
        check_request(TemplateListQuerySchema, params, "template list query")
        body = self._read("/v3/vm/templates", params)
        return models.load(TemplateListSchema, body, "template list")

    def update_template(self, template_id: str, **fields: Any) -> None:
        """Replace the given fields of the template (sent as `{"template": fields}`)."""
        body = {"template": fields}
        check_request(UpdateTemplateRequestSchema, body, "update template request")
        self._write("PUT", f"/v3/vm/templates/{template_id}", body)

    def delete_template(self, template_id: str) -> None:
        """Delete the template."""
        self._write("DELETE", f"/v3/vm/templates/{template_id}")

    def delete_templates(self, template_ids: Iterable[str]) -> None:
        """Delete several templates, all or none."""
        body = {"ids": list(template_ids)}
        check_request(DeleteIdsRequestSchema, body, "delete templates request")
        self._write("POST", "/v3/vm/templates/delete", body)

    def get_target_password(self, template_id: str) -> models.TargetPassword:
        """The target server's password of the template (`client.models.TargetPassword`)."""
        body = self._read(f"/v3/vm/templates/{template_id}/target-password")
        return models.load(TargetPasswordSchema, body, "target password")
