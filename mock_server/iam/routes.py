"""IAM routes: issue and validate tokens, list projects and domains."""

from __future__ import annotations

from flask import Blueprint, Response, request

from sms_mock.contracts.enums import AuthMethod
from sms_mock.contracts.iam import ProjectListQuerySchema, TokenRequestSchema
from sms_mock.mock_server.core.http import base_url, emulator, json_response, load_body, load_query
from sms_mock.mock_server.gateway.auth import check_signature_if_signed, iam_caller
from sms_mock.mock_server.iam import errors
from sms_mock.mock_server.iam.models import Token
from sms_mock.mock_server.iam.responses import project_body, token_body

blueprint = Blueprint("iam", __name__)

_token_request_schema = TokenRequestSchema()
_project_query_schema = ProjectListQuerySchema()


def _wants_catalog() -> bool:
    # Any non-empty `nocatalog` value means "no catalog"; the key stays, as an empty list.
    return not request.args.get("nocatalog")


def _token_answer(token: Token, status: int) -> Response:
    body = token_body(emulator().iam.account, token, base_url(), _wants_catalog())
    return json_response(body, status, {"X-Subject-Token": token.id})


@blueprint.post("/v3/auth/tokens")
def issue_token() -> Response:
    check_signature_if_signed()
    body = load_body(_token_request_schema, errors.bad_request)
    iam = emulator().iam
    auth = body["auth"]
    identity = auth["identity"]
    method = identity["methods"][0]
    if method == AuthMethod.PASSWORD:
        user = iam.check_password(identity["password"]["user"])
    else:
        _, user = iam.token_owner(identity["token"]["id"])
    project, domain = iam.resolve_scope(user, auth.get("scope"))
    return _token_answer(iam.issue(user, [method], project, domain), 201)


@blueprint.get("/v3/auth/tokens")  # HEAD is served by the same view, without a body
def validate_token() -> Response:
    check_signature_if_signed()
    iam = emulator().iam
    caller = request.headers.get("X-Auth-Token")
    # Checking one's own token needs no caller token; a caller token given must be valid.
    if caller and iam.valid_token(caller) is None:
        raise errors.auth_required()
    subject = request.headers.get("X-Subject-Token")
    if not subject:
        raise errors.subject_token_missing()
    token = iam.valid_token(subject)
    if token is None:
        raise errors.token_not_found(subject)
    return _token_answer(token, 200)


def _links() -> dict[str, str | None]:
    return {"self": request.base_url, "previous": None, "next": None}


@blueprint.get("/v3/projects")
def list_projects() -> Response:
    """The SDK calls this, signed, to find a region's project id: `?name=cn-north-4`."""
    caller = iam_caller()
    query = load_query(_project_query_schema, errors.bad_request)
    iam = emulator().iam
    domain_id = caller.domain_id
    projects = [
        p
        for p in iam.account.projects_of(domain_id)
        if query.get("name", p.name) == p.name
        and query.get("domain_id", domain_id) == domain_id
        and query.get("enabled", "true") == "true"
    ]
    url = base_url()
    return json_response({"projects": [project_body(p, url) for p in projects], "links": _links()})


@blueprint.get("/v3/auth/projects")
def list_auth_projects() -> Response:
    domain_id = iam_caller().domain_id
    iam = emulator().iam
    url = base_url()
    return json_response(
        {
            "projects": [project_body(p, url) for p in iam.account.projects_of(domain_id)],
            "links": _links(),
        }
    )


@blueprint.get("/v3/auth/domains")
def list_auth_domains() -> Response:
    """The SDK calls this, signed, to find the domain id of global credentials."""
    domain_id = iam_caller().domain_id
    iam = emulator().iam
    domain = iam.account.domains[domain_id]
    return json_response(
        {
            "domains": [
                {
                    "id": domain.id,
                    "name": domain.name,
                    "enabled": True,
                    "description": "",
                    "links": {"self": f"{base_url()}/v3/domains/{domain.id}"},
                }
            ],
            "links": {"self": request.base_url},
        }
    )
