"""A conformance run: authenticate, read, and (unless read-only) drive the stateful model.

`run(options)` returns the report; it raises `Unreachable` when the endpoint answers nothing at
all. The reads are in `reads.py`, the stateful run in `stateful.py`.
"""

from __future__ import annotations

import time

from sms_mock.client.client import password_login_body
from sms_mock.conformance import reads, stateful
from sms_mock.conformance.caller import Caller, SignedAuth, TokenAuth, objects
from sms_mock.conformance.context import DEFAULT_ACCOUNT, Context, Options, UsageError
from sms_mock.conformance.report import Report
from sms_mock.contracts import conformance
from sms_mock.credentials import Credentials

LOGIN = "keystone_create_user_token_by_password"
PROJECTS = "keystone_list_projects"


def _credentials_in_words(credentials: Credentials, defaulted: bool) -> str:
    if defaulted:
        return "none given: the emulator's default account (mock-user), password login"
    if credentials.has_password:
        return f"password login of {credentials.username} ({credentials.domain})"
    kind = "temporary AK/SK" if credentials.security_token else "AK/SK"
    return f"{kind} {(credentials.ak or '')[:4]}... (SDK-HMAC-SHA256 signatures)"


def _settings(options: Options) -> tuple[Credentials, bool, str]:
    credentials = options.credentials
    defaulted = not (credentials.has_password or credentials.has_aksk)
    if defaulted:
        credentials = DEFAULT_ACCOUNT
    project = options.project or credentials.project
    if not project:
        raise UsageError(
            "no project: give --project NAME, SMS_MOCK_PROJECT, or `project` in --credentials"
        )
    if credentials.has_password and not credentials.domain:
        raise UsageError(
            "a password login needs the account's name: SMS_MOCK_DOMAIN, or `domain` in "
            "--credentials"
        )
    return credentials, defaulted, project


def _log_in(ctx: Context, credentials: Credentials) -> None:
    """A token for the project, or the project's id for the AK/SK's signatures."""
    caller = ctx.caller
    if credentials.has_password:
        body = password_login_body(
            credentials.username or "", credentials.password or "",
            credentials.domain or "", ctx.project,
        )  # fmt: skip
        answer = caller.call(LOGIN, purpose="log in", body=body, authenticated=False)
        token = answer.headers.get("X-Subject-Token")
        if not answer.ok or not token:
            code = answer.text("error_code")
            ctx.report.fatal = f"the login answered {answer.status}" + (f" {code}" if code else "")
            return
        ctx.token = token
        caller.auth = TokenAuth(token)
        ctx.project_id = answer.text("token", "project", "id")
        ctx.user_id = answer.text("token", "user", "id")
    else:
        auth = SignedAuth(credentials.ak or "", credentials.sk or "", credentials.security_token)
        caller.auth = auth
        ctx.report.not_reached(LOGIN, "AK/SK credentials were given, not a password")
        answer = caller.call(
            PROJECTS, purpose=f"the id of project {ctx.project}", query={"name": ctx.project}
        )
        ids = [p["id"] for p in objects(answer.get("projects")) if isinstance(p.get("id"), str)]
        if not answer.ok or not ids:
            status = answer.status if not answer.ok else f"{answer.status}, no such project"
            ctx.report.fatal = f"the project's id was not found ({status})"
            return
        ctx.project_id = auth.project_id = ids[0]
    origin = "of the credentials"
    ctx.found("project_id", ctx.project_id, origin=origin)
    ctx.found("t_project_id", ctx.project_id, origin=origin)
    ctx.found("user_id", ctx.user_id, origin=origin)


def run(options: Options) -> Report:
    """The whole run; `Unreachable` when the endpoint answers nothing."""
    credentials, defaulted, project = _settings(options)
    url = options.url.rstrip("/")
    iam_url = (options.iam_url or url).rstrip("/")
    report = Report.of(
        conformance.operations(),
        url=url,
        iam_url=iam_url,
        mode="read-only" if options.read_only else "full",
        project=project,
        credentials=_credentials_in_words(credentials, defaulted),
    )
    started = time.monotonic()
    caller = Caller(url, iam_url, report, timeout=options.timeout)
    try:
        ctx = Context(options, caller, report, project)
        _log_in(ctx, credentials)
        if report.fatal is None:
            reads.run(ctx)
            if options.read_only:
                report.notes.append("read-only: only GET and HEAD requests (and the login)")
            else:
                stateful.run(ctx)
    finally:
        caller.close()
        report.seconds = time.monotonic() - started
    reason = (
        f"the run stopped early: {report.fatal}"
        if report.fatal
        else "a write: not sent with --read-only"
        if options.read_only
        else "no step of the run sends it"
    )
    for result in report.unreached:
        report.not_reached(result.operation_id, reason)
    return report
