"""IAM's answer bodies: the token and projects, as Huawei IAM writes them."""

from __future__ import annotations

from typing import Any

from sms_mock.mock_server.core.clock import iso_ms
from sms_mock.mock_server.iam.directory import Directory
from sms_mock.mock_server.iam.models import Account, Project, Token

ROLES = [{"id": "0", "name": "te_admin"}, {"id": "0", "name": "op_gated_sms"}]


def token_body(account: Account, token: Token, directory: Directory | None) -> dict[str, Any]:
    """The `{"token": ...}` answer; every key of the SDK's TokenResult, null where unset.

    Without a directory (`?nocatalog`) the catalog is an empty list, as IAM answers.
    """
    user = account.users[token.user_id]
    user_domain = account.domains[user.domain_id]
    project = account.projects.get(token.project_id or "")
    domain = account.domains.get(token.domain_id or "")
    body: dict[str, Any] = {
        "methods": list(token.methods),
        "expires_at": iso_ms(token.expires_ms),
        "issued_at": iso_ms(token.issued_ms),
        "catalog": directory.catalog(project) if directory else [],
        "domain": {"id": domain.id, "name": domain.name} if domain else None,
        "project": (
            {
                "id": project.id,
                "name": project.name,
                "domain": {
                    "id": project.domain_id,
                    "name": account.domains[project.domain_id].name,
                },
            }
            if project
            else None
        ),
        "roles": [dict(role) for role in ROLES],
        "user": {
            "id": user.id,
            "name": user.name,
            "password_expires_at": "",
            "domain": {"id": user_domain.id, "name": user_domain.name},
            "OS-FEDERATION": None,
        },
    }
    return {"token": body}


def project_body(project: Project, base_url: str) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "domain_id": project.domain_id,
        "parent_id": project.domain_id,
        "is_domain": False,
        "description": "",
        "enabled": True,
        "links": {"self": f"{base_url}/v3/projects/{project.id}"},
    }
