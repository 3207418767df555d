"""The reads of a run (all of a `--read-only` one): every GET and HEAD of the document.

Lists first, then each show on ids the lists answered (a show with no id to use is not reached,
not failed), then one id that names nothing per show that documents a 404, to see the 404's
format. Nothing here writes: safe against a production project.
"""

from __future__ import annotations

import re
from typing import Any

from sms_mock.conformance.caller import objects
from sms_mock.conformance.context import Context
from sms_mock.contracts.conformance import ContractOperation

SAFE_METHODS = ("GET", "HEAD")
# An id no resource has, of every id pattern of the document (32 hex digits, as SMS's ids are).
UNKNOWN_ID = "ffffffff0000000000000000c0f0e4ed"
SHA256_KEY = "sms-mock-conform"
PLACEHOLDER = re.compile(r"\{([^}/]+)\}")

# list operation -> (path parameter, the answer's list key) for the ids it answers
LISTED_IDS: dict[str, tuple[tuple[str, str], ...]] = {
    "list_tasks": (("task_id", "tasks"),),
    "list_servers": (("source_id", "source_servers"), ("server_id", "source_servers")),
    "list_templates": (("id", "templates"),),
    "list_migprojects": (("mig_project_id", "migprojects"),),
    "keystone_list_projects": (("project_id", "projects"),),
    "keystone_list_auth_projects": (("project_id", "projects"),),
    "keystone_list_users": (("user_id", "users"),),
    "keystone_list_endpoints": (("endpoint_id", "endpoints"),),
    "keystone_list_services": (("service_id", "services"),),
    "keystone_list_regions": (("region_id", "regions"),),
}
# Operations about the caller's own token: X-Subject-Token names it.
TOKEN_CHECKS = ("keystone_validate_token", "keystone_check_token")


def parameters(op: ContractOperation) -> list[str]:
    return PLACEHOLDER.findall(op.path)


def _harvest(ctx: Context, operation_id: str, body: Any) -> None:
    if not isinstance(body, dict):
        return
    ctx.answers[operation_id] = body
    for parameter, key in LISTED_IDS.get(operation_id, ()):
        items = objects(body.get(key))
        if parameter == "server_id":  # a source with a task first: its agent has a command
            items.sort(key=lambda item: item.get("current_task") is None)
        ctx.found(parameter, *(item.get("id") for item in items), origin=f"from {operation_id}")
    if operation_id == "list_templates":  # a template's subnets, for the network ACL check
        for template in objects(body.get("templates")):
            subnets = (nic.get("id") for nic in objects(template.get("nics")))
            ctx.found("t_network_id", *subnets, origin="from a template's subnets")


def _extras(ctx: Context, op: ContractOperation) -> dict[str, Any] | str:
    """What a request to `op` needs besides its path (headers, query), or why it cannot be
    sent."""
    if op.operation_id in TOKEN_CHECKS:
        if ctx.token is None:
            return "it checks a token, and the run holds none (AK/SK credentials)"
        return {"headers": {"X-Subject-Token": ctx.token}}
    if op.operation_id == "check_net_acl":
        return {"query": {"region_id": ctx.region, "os_type": "LINUX"}}
    return {}


def read_list(ctx: Context, op: ContractOperation) -> None:
    extras = _extras(ctx, op)
    if isinstance(extras, str):
        ctx.report.not_reached(op.operation_id, extras)
        return
    purpose = "the run's own token" if op.operation_id in TOKEN_CHECKS else "the list"
    answer = ctx.call(op.operation_id, purpose=purpose, **extras)
    if answer.ok:
        _harvest(ctx, op.operation_id, answer.body)


def _combinations(ctx: Context, names: list[str], count: int) -> list[dict[str, str]] | str:
    values = {name: ctx.ids.get(name, []) for name in names}
    if "key" in values:
        values["key"] = [SHA256_KEY]
        ctx.origins["key", SHA256_KEY] = "of the run's own"
    missing = [name for name, found in values.items() if not found]
    if missing:
        return f"no {', '.join(missing)} to use: no list answered one"
    widest = max(len(found) for found in values.values())
    combos: list[dict[str, str]] = []
    for i in range(min(count, widest)):
        combo = {name: found[min(i, len(found) - 1)] for name, found in values.items()}
        if combo not in combos:
            combos.append(combo)
    return combos


def read_show(ctx: Context, op: ContractOperation, *, count: int | None = None) -> None:
    """The show on ids found so far (at most `count`), or why it cannot be sent."""
    extras = _extras(ctx, op)
    if isinstance(extras, str):
        ctx.report.not_reached(op.operation_id, extras)
        return
    combos = _combinations(ctx, parameters(op), count or ctx.options.shows_per_operation)
    if isinstance(combos, str):
        ctx.report.not_reached(op.operation_id, combos)
        return
    for combo in combos:
        whence = [ctx.origins.get((name, value), "given") for name, value in combo.items()]
        purpose = "ids " + ", ".join(whence) if len(whence) > 1 else f"an id {whence[0]}"
        ctx.call(op.operation_id, combo, purpose=purpose, **extras)


def read_unknown(ctx: Context, op: ContractOperation) -> None:
    """One id that names nothing, where the operation documents a 404."""
    extras = _extras(ctx, op)
    if 404 not in op.responses or isinstance(extras, str):
        return
    path = {name: UNKNOWN_ID for name in parameters(op)}
    purpose = "an id that names nothing (its 404)"
    ctx.call(op.operation_id, path, purpose=purpose, probe=True, **extras)


def safe_operations(ctx: Context) -> list[ContractOperation]:
    return [
        ctx.caller.operation(result.operation_id)
        for result in ctx.report.operations.values()
        if result.method in SAFE_METHODS
    ]


def run(ctx: Context) -> None:
    safe = safe_operations(ctx)
    for op in safe:
        if not parameters(op):
            read_list(ctx, op)
    shows = [op for op in safe if parameters(op)]
    for op in shows:
        read_show(ctx, op)
    for op in shows:
        read_unknown(ctx, op)
