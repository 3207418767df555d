"""IAM's read-only routes: projects, domains and users, the catalog, endpoints, services and
regions.

Each needs a caller: a valid token, or an SDK signature (with temporary credentials too). A
caller sees the projects and users of its own account only; another account's project is "not
found", not "forbidden", so that ids of other accounts cannot be probed (README, "IAM").
"""

from __future__ import annotations

from flask import Blueprint, Response

from sms_mock.contracts.iam import ProjectListQuerySchema, UserListQuerySchema
from sms_mock.contracts.iam_catalog import EndpointListQuerySchema, ServiceListQuerySchema
from sms_mock.mock_server.core.http import (
    emulator,
    iam_url,
    json_response,
    load_query,
    request_url,
)
from sms_mock.mock_server.gateway.auth import Caller, iam_caller
from sms_mock.mock_server.iam import errors
from sms_mock.mock_server.iam.directory import SERVICES
from sms_mock.mock_server.iam.models import Project
from sms_mock.mock_server.iam.responses import project_body, user_body
from sms_mock.mock_server.iam.routes import directory

blueprint = Blueprint("iam_directory", __name__)

_project_query_schema = ProjectListQuerySchema()
_endpoint_query_schema = EndpointListQuerySchema()
_service_query_schema = ServiceListQuerySchema()
_user_query_schema = UserListQuerySchema()


def _links() -> dict[str, str | None]:
    return {"self": request_url(), "previous": None, "next": None}


def _projects(projects: list[Project]) -> Response:
    url = iam_url()
    return json_response({"projects": [project_body(p, url) for p in projects], "links": _links()})


# --- projects and domains -----------------------------------------------------------------------


@blueprint.get("/v3/projects")
def list_projects() -> Response:
    """The SDK calls this, signed, to find a region's project id: `?name=cn-north-4`."""
    caller = iam_caller()
    query = load_query(_project_query_schema, errors.bad_request)
    domain_id = caller.domain_id
    return _projects(
        [
            p
            for p in emulator().iam.account.projects_of(domain_id)
            if query.get("name", p.name) == p.name
            and query.get("domain_id", domain_id) == domain_id
            and query.get("enabled", "true") == "true"
        ]
    )


@blueprint.get("/v3/projects/<project_id>")
def show_project(project_id: str) -> Response:
    caller = iam_caller()
    project = emulator().iam.account.projects.get(project_id)
    if project is None or project.domain_id != caller.domain_id:
        raise errors.not_found("project", project_id)
    return json_response({"project": project_body(project, iam_url())})


@blueprint.get("/v3/users/<user_id>/projects")
def list_projects_for_user(user_id: str) -> Response:
    """A user's own projects; another user's need an administrator of the same account."""
    caller = iam_caller()
    account = emulator().iam.account
    if user_id != caller.user_id:
        me = account.users.get(caller.user_id or "")
        if me is None or not me.admin:
            raise errors.forbidden()
        user = account.users.get(user_id)
        if user is None or user.domain_id != caller.domain_id:
            raise errors.not_found("user", user_id)
    return _projects(account.projects_of(caller.domain_id))


@blueprint.get("/v3/users")
def list_users() -> Response:
    """The users of the caller's account, for an administrator of it; never another account's,
    whatever `domain_id` names."""
    caller = iam_caller()
    account = emulator().iam.account
    me = account.users.get(caller.user_id or "")
    if me is None or not me.admin:
        raise errors.forbidden()  # before the query is read: who asks is checked first
    query = load_query(_user_query_schema, errors.bad_request)
    domain_id = caller.domain_id
    # Every user of the account is enabled, and its password never expires: a filter on
    # another domain, on disabled users or on an expiry time matches none of them.
    any_match = (
        query.get("domain_id", domain_id) == domain_id
        and query.get("enabled", "true").lower() == "true"
        and "password_expires_at" not in query
    )
    users = [
        u for u in account.users_of(domain_id) if any_match and query.get("name", u.name) == u.name
    ]
    url = iam_url()
    return json_response({"users": [user_body(u, account, url) for u in users], "links": _links()})


@blueprint.get("/v3/auth/projects")
def list_auth_projects() -> Response:
    return _projects(emulator().iam.account.projects_of(iam_caller().domain_id))


@blueprint.get("/v3/auth/domains")
def list_auth_domains() -> Response:
    """The SDK calls this, signed, to find the domain id of global credentials."""
    domain = emulator().iam.account.domains[iam_caller().domain_id]
    return json_response(
        {
            "domains": [
                {
                    "id": domain.id,
                    "name": domain.name,
                    "enabled": True,
                    "description": "",
                    "links": {"self": f"{iam_url()}/v3/domains/{domain.id}"},
                }
            ],
            "links": {"self": request_url()},
        }
    )


# --- the service directory ----------------------------------------------------------------------


def _caller_project(caller: Caller) -> Project | None:
    return emulator().iam.account.projects.get(caller.project_id or "")


@blueprint.get("/v3/auth/catalog")
def show_catalog() -> Response:
    """The caller's catalog: a project's caller gets its region's; any other the global one."""
    project = _caller_project(iam_caller())
    return json_response(
        {"catalog": directory().catalog(project), "links": {"self": request_url()}}
    )


@blueprint.get("/v3/endpoints")
def list_endpoints() -> Response:
    iam_caller()
    query = load_query(_endpoint_query_schema, errors.bad_request)
    found = directory()
    endpoints = [
        found.endpoint_body(e)
        for e in found.endpoints()
        if query.get("service_id", e.service.id) == e.service.id
        and query.get("interface", "public") == "public"
    ]
    return json_response({"endpoints": endpoints, "links": _links()})


@blueprint.get("/v3/endpoints/<endpoint_id>")
def show_endpoint(endpoint_id: str) -> Response:
    iam_caller()
    found = directory()
    endpoint = next((e for e in found.endpoints() if e.id == endpoint_id), None)
    if endpoint is None:
        raise errors.not_found("endpoint", endpoint_id)
    return json_response({"endpoint": found.endpoint_body(endpoint)})


@blueprint.get("/v3/services")
def list_services() -> Response:
    iam_caller()
    query = load_query(_service_query_schema, errors.bad_request)
    found = directory()
    services = [found.service_body(s) for s in SERVICES if query.get("type", s.type) == s.type]
    return json_response({"services": services, "links": _links()})


@blueprint.get("/v3/services/<service_id>")
def show_service(service_id: str) -> Response:
    iam_caller()
    service = next((s for s in SERVICES if s.id == service_id), None)
    if service is None:
        raise errors.not_found("service", service_id)
    return json_response({"service": directory().service_body(service)})


@blueprint.get("/v3/regions")
def list_regions() -> Response:
    iam_caller()
    found = directory()
    return json_response(
        {"regions": [found.region_body(r) for r in found.regions()], "links": _links()}
    )


@blueprint.get("/v3/regions/<region_id>")
def show_region(region_id: str) -> Response:
    iam_caller()
    found = directory()
    if region_id not in found.regions():
        raise errors.not_found("region", region_id)
    return json_response({"region": found.region_body(region_id)})
