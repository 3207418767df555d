"""What the SMS backend does with server templates; a mixin of `SmsBackend` (backend.py)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from sms_mock.contracts.shape import fill_nulls, shape_of
from sms_mock.contracts.templates import TemplateSchema
from sms_mock.mock_server.core.ids import new_id
from sms_mock.mock_server.sms import errors

if TYPE_CHECKING:
    from sms_mock.mock_server.sms.backend import SmsBackend

TEMPLATE_SHAPE = shape_of(TemplateSchema)
AUTO = "autoCreate"
# INFERRED: what the service fills in for a template that leaves them out (the VPC's is the
# SDK's documented default).
DEFAULT_VPC_CIDR = "192.168.0.0/16"
DEFAULT_SUBNET_CIDR = "192.168.0.0/24"
DEFAULT_VOLUME_TYPE = "SAS"


def template_document(
    template_id: str, given: dict[str, Any], project: tuple[str, str]
) -> dict[str, Any]:
    """A template as create makes it: the body, with the service's defaults for the rest."""
    project_id, project_name = project
    doc = copy.deepcopy(given)
    doc["id"] = template_id
    doc["is_template"] = "true" if given.get("is_template", True) else "false"
    doc.setdefault("region", project_name)
    doc.setdefault("projectid", project_id)
    doc.setdefault("target_server_name", given["name"])
    doc.setdefault("volumetype", DEFAULT_VOLUME_TYPE)
    return with_defaults(doc)


def with_defaults(doc: dict[str, Any]) -> dict[str, Any]:
    """The network defaults a create fills in, again after an update replaced an object."""
    vpc = doc.get("vpc") or {"id": AUTO, "name": AUTO}
    doc["vpc"] = {"cidr": DEFAULT_VPC_CIDR, **{k: v for k, v in vpc.items() if v is not None}}
    nics = doc.get("nics") or [{"id": AUTO, "name": AUTO}]
    doc["nics"] = [
        {"cidr": DEFAULT_SUBNET_CIDR, **{k: v for k, v in nic.items() if v is not None}}
        for nic in nics
    ]
    doc["security_groups"] = doc.get("security_groups") or [{"id": AUTO, "name": AUTO}]
    if doc.get("disk") is None:
        doc["disk"] = []
    return fill_nulls(doc, TEMPLATE_SHAPE)


def _template_matches(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    return all(
        doc.get(key) == query[key]
        for key in ("name", "availability_zone", "region", "id")
        if key in query
    )


class TemplateOps:
    def _template(self: SmsBackend, project_id: str, template_id: str) -> dict[str, Any]:
        template = self.templates.get(project_id, template_id)
        if template is None:
            raise errors.template_not_found(template_id)
        return template

    def _check_template_name_free(
        self: SmsBackend, project_id: str, name: str, own_id: str = ""
    ) -> None:
        """Two templates of a project never share a name (SMS.7112)."""
        if self.templates.named(project_id, name, own_id) is not None:
            raise errors.template_name_taken(name)

    def create_template(self: SmsBackend, project: tuple[str, str], given: dict[str, Any]) -> str:
        template_id = new_id()
        with self._lock:
            self._check_template_name_free(project[0], given["name"])
            self.templates.put(
                project[0], template_id, template_document(template_id, given, project)
            )
        return template_id

    def put_template(
        self: SmsBackend, project: tuple[str, str], given: dict[str, Any]
    ) -> dict[str, Any]:
        """Put a template in exactly as given (upsert by id), the rest defaulted; the template."""
        template_id = given.get("id") or new_id()
        name = given.get("name") or f"template-{template_id[:8]}"
        doc = template_document(template_id, {"name": name}, project)
        doc.update(copy.deepcopy(given))
        doc["id"] = template_id
        with_defaults(doc)
        with self._lock:
            self.templates.put(project[0], template_id, doc)
        return copy.deepcopy(doc)

    def show_template(self: SmsBackend, project_id: str, template_id: str) -> dict[str, Any]:
        with self._lock:
            return {"template": copy.deepcopy(self._template(project_id, template_id))}

    def list_templates(self: SmsBackend, project_id: str, query: dict[str, Any]) -> dict:
        with self._lock:
            matching = [t for t in self.templates.of(project_id) if _template_matches(t, query)]
            offset, limit = query["offset"], query["limit"] or 50
            page = copy.deepcopy(matching[offset : offset + limit])
        return {"count": len(matching), "templates": page}

    def update_template(
        self: SmsBackend, project_id: str, template_id: str, given: dict[str, Any]
    ) -> None:
        with self._lock:
            template = self._template(project_id, template_id)
            if "name" in given:
                self._check_template_name_free(project_id, given["name"], template_id)
            for key, value in copy.deepcopy(given).items():
                template[key] = value
            if "is_template" in given:
                template["is_template"] = "true" if given["is_template"] else "false"
            with_defaults(template)
            self.templates.changed(project_id, template_id)

    def delete_templates(self: SmsBackend, project_id: str, template_ids: list[str]) -> None:
        """All or nothing; a template a task was made from stays until the task goes (7111)."""
        with self._lock:
            for template_id in dict.fromkeys(template_ids):
                self._template(project_id, template_id)
                user = self._task_using_template(project_id, template_id)
                if user is not None:
                    raise errors.template_in_use(template_id, user)
            for template_id in dict.fromkeys(template_ids):
                self.templates.delete(project_id, template_id)

    def target_password(self: SmsBackend, project_id: str, template_id: str) -> dict[str, Any]:
        with self._lock:
            template = self._template(project_id, template_id)
            return {"template_id": template_id, "target_password": template.get("target_password")}
