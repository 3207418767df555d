"""`POST /_mock/tokens`: an IAM token of a project, for a tool that drives the public API.

The dashboard acts on tasks through the public API, as any client does, so it needs a token;
the control plane's admin may have one without a password, as it may put any task in any
state. The token is a real one, issued by IAM as a password login would be: it expires, it
shows in the state file, and the public API checks it like any other. Errors: 400 MOCK.0400 for
a bad body, an unknown project, or one whose account has no user.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from sms_mock.contracts.control import ProjectTokenRequestSchema, ProjectTokenSchema
from sms_mock.contracts.enums import AuthMethod
from sms_mock.mock_server.control import errors
from sms_mock.mock_server.core.clock import iso_ms
from sms_mock.mock_server.core.http import emulator, json_response, load_body
from sms_mock.mock_server.emulator import UnknownProject
from sms_mock.mock_server.iam.models import User

blueprint = Blueprint("control_tokens", __name__, url_prefix="/_mock")

invalid = errors.bad_request

_request_schema = ProjectTokenRequestSchema()
_token_schema = ProjectTokenSchema()


def _account_user(domain_id: str) -> User | None:
    """The account's administrator (its owner on Huawei Cloud), else its first user."""
    users = [u for u in emulator().iam.account.users.values() if u.domain_id == domain_id]
    return next((u for u in users if u.admin), users[0] if users else None)


@blueprint.post("/tokens")
def issue_project_token() -> Response:
    body = load_body(_request_schema, invalid) if request.get_data(cache=True).strip() else {}
    em = emulator()
    try:
        project_id, project_name = em.project_ref(body.get("project"))
    except UnknownProject as exc:
        raise invalid("project", f"no project {exc.args[0]!r}") from exc
    project = em.iam.account.projects[project_id]
    user = _account_user(project.domain_id)
    if user is None:
        raise invalid("project", f"the account of {project_name!r} has no user to act as")
    token = em.iam.issue(user, [AuthMethod.PASSWORD.value], project, None)
    answer = {
        "token": token.id,
        "expires_at": iso_ms(token.expires_ms),
        "project_id": project_id,
        "project_name": project_name,
        "user": user.name,
    }
    return json_response(_token_schema.dump(answer), 201)
