"""What Terraform's huaweicloud provider does on the wire, replayed with `requests`.

Three request styles (spec section B0):

- golangsdk raw `client.Request` (`raw`): `Content-Type: application/json` from MoreHeaders,
  even on a GET; the provider's JSON body as it is;
- golangsdk typed packages (`typed`): Content-Type only with a body;
- httphelper (`helper_pages`): `Content-Type: application/json` and `X-Language: en-us`.

The provider logs in with a password (a token in `X-Auth-Token`) or with an AK/SK, which
golangsdk signs (`tests/support/signers.golangsdk`: no Host, X-Project-Id set after signing);
`aksk_login` replays what golangsdk's `v3AKSKAuth` asks IAM first.

golangsdk always sends `Accept: application/json`, and accepts only its default codes (GET 200;
POST and PUT 200, 201, 202; DELETE 200, 202, 204). The provider reads answers in two ways,
both here: JMESPath over the decoded JSON (`path_search`, a null or missing value giving the
default) and a type-strict `json.Unmarshal` into Go structs (`go_decode`). The two pagers
(golangsdk's `OffsetPageBase`, httphelper's `OffsetPager`) are bounded so a server that ignores
`offset` fails a test instead of looping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests

from tests.support.signers import Call as SignedCall
from tests.support.signers import Key, golangsdk

JSON = "application/json"
OK_CODES = {
    "GET": {200},
    "POST": {200, 201, 202},
    "PUT": {200, 201, 202},
    "DELETE": {200, 202, 204},
}
MAX_PAGES = 20  # golangsdk gives up after 1000 pages; a test gives up well before
NO_BODY = object()


class ProviderError(AssertionError):
    """What the provider would report as an error (or a panic) for an answer."""


@dataclass
class Call:
    method: str
    path: str  # with its query
    headers: dict[str, str]
    body: Any
    status: int


@dataclass
class Tf:
    """One provider configuration: an endpoint and a token (password login) or an AK/SK
    (`key`), and every call it made."""

    url: str
    token: str | None
    calls: list[Call] = field(default_factory=list)
    key: Key | None = None

    def _send(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> requests.Response:
        if self.key is not None:
            response = signed_request(self.url, self.key, method, path, headers, body)
        else:
            headers = {"Accept": JSON, "X-Auth-Token": self.token or "", **headers}
            kwargs: dict[str, Any] = {"headers": headers, "timeout": 10}
            if body is not NO_BODY:
                kwargs["json"] = body
            response = requests.request(method, self.url + path, **kwargs)
        sent = {k: str(v) for k, v in response.request.headers.items() if k != "X-Auth-Token"}
        self.calls.append(Call(method, path, sent, body, response.status_code))
        return response

    def raw(self, method: str, path: str, body: Any = NO_BODY) -> requests.Response:
        """`client.Request(method, endpoint + path)` with MoreHeaders Content-Type json."""
        return self._send(method, path, {"Content-Type": JSON}, body)

    def typed(self, method: str, path: str, body: Any = NO_BODY) -> requests.Response:
        """A golangsdk typed call (`templates.Get`, `tasks.Action`, ...)."""
        headers = {} if body is NO_BODY else {"Content-Type": JSON}
        return self._send(method, path, headers, body)

    def helper(self, method: str, path: str) -> requests.Response:
        """An httphelper request without a pager."""
        return self._send(method, path, {"Content-Type": JSON, "X-Language": "en-us"}, NO_BODY)

    def advance(self, seconds: float) -> None:
        """Move the emulator's manual clock (the control plane, not the provider)."""
        response = requests.post(
            f"{self.url}/_mock/clock/advance", json={"seconds": seconds}, timeout=10
        )
        assert response.status_code == 200, response.text


def signed_request(
    base: str, key: Key, method: str, path: str, headers: dict[str, str], body: Any
) -> requests.Response:
    """`client.Request(method, base + path)` with the AK/SK: MoreHeaders `headers`, signed by
    golangsdk, then X-Project-Id (and a security token) set."""
    url = urlsplit(path)
    call = SignedCall(
        method,
        url.path,
        parse_qsl(url.query, keep_blank_values=True),
        None if body is NO_BODY else body,
        headers,
    )
    return golangsdk(base, call, key).send()


def aksk_login(url: str, iam_url: str, project_name: str, key: Key) -> tuple[Tf, list[Call]]:
    """The provider built with `access_key`/`secret_key` (`buildClientByAKSK`), as golangsdk's
    `v3AKSKAuth` logs in: without a `project_id`, the project's id by its name (the region
    unless `project_name` says otherwise) from `GET /v3/projects?name=`, signed with no project
    yet; then the catalog, the project id now set after signing. Returns the provider's client
    for `url` and the IAM calls it made."""
    made: list[Call] = []

    def iam(path: str, signer_key: Key) -> Any:
        response = signed_request(iam_url, signer_key, "GET", path, {}, NO_BODY)
        sent = {k: str(v) for k, v in response.request.headers.items()}
        made.append(Call("GET", path, sent, NO_BODY, response.status_code))
        return ok(response)

    if key.project_id is None:
        found = iam(f"/v3/projects?{urlencode({'name': project_name})}", key)
        projects = as_list(path_search("projects", found, []), "projects")
        if not projects:
            raise ProviderError(f"the IAM project ID of {project_name} is not found")
        key = replace(key, project_id=projects[0]["id"])
    iam("/v3/auth/catalog", key)
    return Tf(url, None, key=key), made


def ok(response: requests.Response) -> Any:
    """The decoded body of an answer golangsdk accepts (`utils.FlattenResponse`): None for 204
    or an empty body. Any other code is the provider's error."""
    method = response.request.method or "GET"
    if response.status_code not in OK_CODES[method]:
        raise ProviderError(
            f"{method} {response.request.path_url}: {response.status_code} {response.text[:500]}"
        )
    if response.status_code == 204 or not response.content:
        return None
    return response.json()


def is_404(response: requests.Response) -> bool:
    """golangsdk.ErrDefault404: `CheckDeletedDiag` takes the resource as gone."""
    return response.status_code == 404


# --- JMESPath, the subset the provider's expressions use ------------------------------------

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\*|\d+)\]")


def _search(tokens: list[str], value: Any) -> Any:
    for position, token in enumerate(tokens):
        if value is None:
            return None
        if token == "[*]":
            if not isinstance(value, list):
                return None
            rest = tokens[position + 1 :]
            found = [_search(rest, item) for item in value]
            return [item for item in found if item is not None]  # projections drop nulls
        if token.startswith("["):
            index = int(token[1:-1])
            value = value[index] if isinstance(value, list) and index < len(value) else None
        else:
            value = value.get(token) if isinstance(value, dict) else None
    return value


def path_search(expression: str, data: Any, default: Any = None) -> Any:
    """`utils.PathSearch`: the value at `expression`, or `default` where it is null or missing."""
    tokens = []
    for name, index in _TOKEN.findall(expression):
        tokens.append(name if name else f"[{index}]")
    found = _search(tokens, data)
    return default if found is None else found


def as_list(value: Any, where: str) -> list[Any]:
    """`PathSearch(expr, x, make([]interface{}, 0)).([]interface{})`: anything but a list
    (after the default) is a type assertion that panics."""
    if not isinstance(value, list):
        raise ProviderError(f"{where}: .([]interface{{}}) on {type(value).__name__}: panic")
    return value


# --- Go: json.Unmarshal into typed structs, and d.Set into schema types ----------------------
# A spec is "string", "int", "float", "bool", "any", a dict (a struct: its JSON keys), or a
# one-item list (a slice of that). JSON null leaves a Go zero value; unknown keys are ignored.


def go_decode(value: Any, spec: Any, where: str = "$") -> None:
    """Fail as `json.Unmarshal` would, with the path of the first value of the wrong type."""
    if value is None or spec == "any":
        return
    if spec == "string":
        ok_type = isinstance(value, str)
    elif spec == "int":
        ok_type = isinstance(value, int) and not isinstance(value, bool)
    elif spec == "float":
        ok_type = isinstance(value, int | float) and not isinstance(value, bool)
    elif spec == "bool":
        ok_type = isinstance(value, bool)
    elif isinstance(spec, list):
        if not isinstance(value, list):
            raise ProviderError(f"{where}: cannot unmarshal {type(value).__name__} into a slice")
        for index, item in enumerate(value):
            go_decode(item, spec[0], f"{where}[{index}]")
        return
    elif isinstance(spec, dict):
        if not isinstance(value, dict):
            raise ProviderError(f"{where}: cannot unmarshal {type(value).__name__} into a struct")
        for key, inner in spec.items():
            go_decode(value.get(key), inner, f"{where}.{key}")
        return
    else:
        raise ValueError(f"unknown spec {spec!r}")
    if not ok_type:
        raise ProviderError(f"{where}: cannot unmarshal {value!r} into Go {spec}")


def tf_set(value: Any, kind: str, where: str) -> Any:
    """`d.Set` into a schema attribute: "string", "int", "bool", "float", "list" (of anything);
    null clears it. A value of another JSON type fails the read."""
    go_decode(value, {"list": ["any"]}.get(kind, kind), where)
    return value


# --- golangsdk structs the provider decodes into --------------------------------------------

GO_SOURCE_SERVER = {  # sources.SourceServer (sources.List)
    "id": "string",
    "ip": "string",
    "name": "string",
    "state": "string",
    "connected": "bool",
    "add_date": "int",
    "agent_version": "string",
    "os_type": "string",
    "os_version": "string",
    "oem_system": "bool",
    "enterprise_project_id": "string",
    "cpu_quantity": "int",
    "memory": "int",
    "current_task": {
        "id": "string",
        "name": "string",
        "type": "string",
        "state": "string",
        "estimate_complete_time": "int",
        "start_date": "int",
        "speed_limit": "float",
        "migrate_speed": "float",
        "compress_rate": "float",
        "start_target_server": "bool",
        "vm_template_id": "string",
        "region_id": "string",
        "project_name": "string",
        "project_id": "string",
        "target_server": {"vm_id": "string", "name": "string"},
        "clone_server": {
            "vm_id": "string",
            "name": "string",
            "clone_error": "string",
            "clone_state": "string",
            "error_msg": "string",
        },
        "log_collect_status": "string",
        "exist_server": "bool",
        "use_public_ip": "bool",
        "remain_seconds": "int",
    },
    "checks": [
        {
            "id": "int",
            "params": ["string"],
            "name": "string",
            "result": "string",
            "error_code": "string",
            "error_params": "string",
        }
    ],
    "init_target_server": {
        "disks": [
            {
                "name": "string",
                "size": "int",
                "device_use": "string",
                "physical_volumes": [
                    {
                        "device_use": "string",
                        "file_system": "string",
                        "index": "int",
                        "mount_point": "string",
                        "name": "string",
                        "size": "int",
                        "used_size": "int",
                        "uuid": "string",
                    }
                ],
            }
        ]
    },
    "migration_cycle": "string",
    "replicatesize": "int",
    "totalsize": "int",
    "stage_action_time": "int",
    "last_visit_time": "int",
    "state_action_time": "int",
}

GO_TEMPLATE = {  # templates.TemplateResponse (templates.Get)
    "id": "string",
    "name": "string",
    "is_template": "string",
    "region": "string",
    "projectid": "string",
    "target_server_name": "string",
    "availability_zone": "string",
    "flavor": "string",
    "vpc": {"id": "string", "name": "string", "cidr": "string"},
    "nics": [{"id": "string", "name": "string", "cidr": "string", "ip": "string"}],
    "security_groups": [{"id": "string", "name": "string"}],
    "publicip": {"type": "string", "bandwidth_size": "int"},
    "disk": [{"index": "int", "name": "string", "disktype": "string", "size": "int"}],
    "volumetype": "string",
    "data_volume_type": "string",
    "target_password": "string",
}

_GO_PHYSICAL_VOLUME = {
    "device_use": "string",
    "file_system": "string",
    "index": "int",
    "mount_point": "string",
    "name": "string",
    "size": "int",
    "used_size": "int",
    "uuid": "string",
}
_GO_VOLUME_GROUP = {
    "components": "string",
    "free_size": "int",
    "logical_volumes": [
        {
            "block_count": "int",
            "block_size": "int",
            "file_system": "string",
            "inode_size": "int",
            "mount_point": "string",
            "name": "string",
            "size": "int",
            "used_size": "int",
            "free_size": "int",
        }
    ],
    "name": "string",
    "size": "int",
}
GO_MIGRATE_TASK = {  # tasks.MigrateTask (tasks.Get, the wait loop)
    "name": "string",
    "type": "string",
    "os_type": "string",
    "id": "string",
    "priority": "int",
    "start_target_server": "bool",
    "enterprise_project_id": "string",
    "migration_ip": "string",
    "region_name": "string",
    "region_id": "string",
    "project_name": "string",
    "project_id": "string",
    "vm_template_id": "string",
    "source_server": {
        "id": "string",
        "ip": "string",
        "name": "string",
        "hostname": "string",
        "os_type": "string",
        "os_version": "string",
        "firmware": "string",
        "cpu_quantity": "int",
        "memory": "int",
        "disks": [
            {
                "name": "string",
                "partition_style": "string",
                "device_use": "string",
                "size": "int",
                "used_size": "int",
                "physical_volumes": [{**_GO_PHYSICAL_VOLUME, "size_per_cluster": "int"}],
                "os_disk": "bool",
                "relation_name": "string",
            }
        ],
        "btrfs_list": ["any"],
        "networks": [
            {
                "name": "string",
                "ip": "string",
                "netmask": "string",
                "gateway": "string",
                "mtu": "int",
                "mac": "string",
                "id": "string",
            }
        ],
        "domain_id": "string",
        "has_rsync": "bool",
        "paravirtualization": "bool",
        "raw_devices": "string",
        "driver_files": "bool",
        "system_services": "bool",
        "account_rights": "bool",
        "boot_loader": "string",
        "system_dir": "string",
        "volume_groups": [_GO_VOLUME_GROUP],
        "agent_version": "string",
    },
    "target_server": {
        "id": "string",
        "vm_id": "string",
        "name": "string",
        "ip": "string",
        "os_type": "string",
        "os_version": "string",
        "system_dir": "string",
        "disks": [
            {
                "device_use": "string",
                "disk_id": "string",
                "name": "string",
                "physical_volumes": [_GO_PHYSICAL_VOLUME],
                "size": "int",
                "used_size": "int",
            }
        ],
        "volume_groups": [_GO_VOLUME_GROUP],
        "btrfs_list": ["string"],
        "image_disk_id": "string",
        "cutovered_snapshot_ids": "string",
    },
    "state": "string",
    "connected": "bool",
    "migrate_speed": "float",
    "compress_rate": "float",
    "error_json": "string",
    "create_date": "int",
    "start_date": "int",
    "finish_date": "int",
    "estimate_complete_time": "int",
    "remain_seconds": "int",
    "total_time": "int",
    "target_snapshot_id": "string",
    "clone_server": {
        "vm_id": "string",
        "name": "string",
        "clone_error": "string",
        "clone_state": "string",
        "error_msg": "string",
    },
    "sub_tasks": [
        {
            "name": "string",
            "progress": "int",
            "start_date": "int",
            "end_date": "int",
            "migrate_speed": "float",
            "user_op": "string",
            "process_trace": "string",
        }
    ],
}


# --- the pagers -------------------------------------------------------------------------------


def _with_query(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def sdk_offset_pages(
    tf: Tf, path: str, query: dict[str, str], data_key: str, item_spec: Any
) -> list[dict[str, Any]]:
    """golangsdk `OffsetPageBase` as `sources.List` drives it: the first page with the filters
    only; each next page the same URL with `offset` = this page's offset + (its `limit`, or
    else its size), `limit` never added (NextOffset sets it on a copy); every page decoded into
    the typed struct; done at the first page whose `data_key` is empty."""
    items: list[dict[str, Any]] = []
    current = dict(query)
    for _ in range(MAX_PAGES):
        body = ok(tf.typed("GET", _with_query(path, current)))
        go_decode(body, {data_key: [item_spec]}, path)
        page = (body or {}).get(data_key) or []
        if not page:
            return items
        items.extend(page)
        offset = int(current.get("offset") or 0)
        limit = int(current.get("limit") or 0) or len(page)
        current = {**current, "offset": str(offset + limit)}
    raise ProviderError(f"{path}: still not an empty page after {MAX_PAGES} pages")


def _gjson_count(body: Any, data_path: str) -> int:
    value = path_search(data_path, body)
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1  # gjson: a non-array is one result


def _merge(target: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """httphelper `mergeMaps`: arrays concatenated, objects merged, the rest replaced."""
    for key, value in source.items():
        if key not in target:
            target[key] = value
        elif isinstance(target[key], dict) and isinstance(value, dict):
            _merge(target[key], value)
        elif isinstance(target[key], list) and isinstance(value, list):
            target[key] = target[key] + value
        elif not isinstance(target[key], dict | list):
            target[key] = value
    return target


def helper_query(query: dict[str, Any]) -> dict[str, str]:
    """httphelper `marshalQueryParams`: empty strings dropped, bools always sent."""
    out = {}
    for key, value in query.items():
        if value is None or value == "":
            continue
        out[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def helper_pages(
    tf: Tf, path: str, query: dict[str, Any], data_path: str, default_limit: int
) -> dict[str, Any]:
    """httphelper `OffsetPager(dataPath, "offset", "limit", default_limit)`: with a limit,
    `limit=N&offset=0` first, then `offset` += N; without one, no paging keys first, then
    `offset` = the count so far and no `limit`. A page with no items at `data_path` ends it and
    is not merged. Returns the merged body."""
    current = helper_query(query)
    if default_limit > 0:
        current.setdefault("limit", str(default_limit))
        current.setdefault("offset", "0")
    merged: dict[str, Any] = {}
    for _ in range(MAX_PAGES):
        response = tf._send(
            "GET", _with_query(path, current), {"Content-Type": JSON, "X-Language": "en-us"},
            NO_BODY,
        )  # fmt: skip
        body = ok(response)
        count = _gjson_count(body, data_path)
        if count == 0:
            return merged
        _merge(merged, body)
        offset = int(current.get("offset") or 0)
        limit = int(current.get("limit") or 0) or (count if count > 0 else default_limit)
        if offset + limit == 0:
            return merged
        current = {**current, "offset": str(offset + limit)}
    raise ProviderError(f"{path}: still not an empty page after {MAX_PAGES} pages")


def queries(tf: Tf, path: str) -> list[dict[str, str]]:
    """The queries of the GETs of `path` made so far, in order."""
    found = []
    for call in tf.calls:
        base, _, query = call.path.partition("?")
        if call.method == "GET" and base == path:
            found.append(dict(parse_qsl(query)))
    return found


# --- RemoveNil / ValueIgnoreEmpty ------------------------------------------------------------


def value_ignore_empty(value: Any) -> Any:
    """`utils.ValueIgnoreEmpty`: "", 0, 0.0 and empty lists become nil; false stays."""
    if isinstance(value, bool):
        return value
    if value in ("", 0, 0.0) or (isinstance(value, list | dict) and not value):
        return None
    return value


def remove_nil(value: Any) -> Any:
    """`utils.RemoveNil`: nil values dropped, and empty maps or lists of maps, recursively;
    "" and false kept."""
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            inner = remove_nil(inner)
            if inner is None or (isinstance(inner, dict | list) and not inner):
                continue
            out[key] = inner
        return out
    if isinstance(value, list):
        return [remove_nil(item) for item in value]
    return value
