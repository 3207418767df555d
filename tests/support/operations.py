"""The OpenAPI document read as a list of operations, for properties parametrised by operation.

Each `Operation` is one (method, path) of `/openapi.json`: its path and query parameters with
their JSON schemas, the marshmallow schema of its request body and of each answer (found by the
component's name: `TaskList` is `TaskListSchema` of `sms_mock.contracts`), and the error codes its
answers' descriptions document for each status. Nothing here knows a particular operation.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from marshmallow import Schema

import sms_mock.contracts
from sms_mock.contracts.openapi import openapi_document

__all__ = ["Operation", "documented_codes", "operations", "schema_named"]


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # "path" or "query"
    schema: dict[str, Any]
    required: bool


@dataclass(frozen=True)
class Answer:
    status: int
    description: str
    schemas: tuple[type[Schema], ...]  # the body is one of them; () when not JSON (a CSV file)
    codes: frozenset[str]  # the error codes the description names


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str  # upper case
    path: str  # with `{name}` placeholders
    parameters: tuple[Parameter, ...]
    body: type[Schema] | None
    body_required: bool
    answers: dict[int, Answer] = field(hash=False)
    signed: bool  # SMS and `/v3.0` IAM calls take a token or a signature; Keystone's mostly not

    @property
    def success(self) -> Answer:
        return next(a for status, a in sorted(self.answers.items()) if status < 300)

    def path_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.where == "path")

    def query_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.where == "query")

    def __str__(self) -> str:
        return self.operation_id


@cache
def _schemas() -> dict[str, type[Schema]]:
    """Every schema class of the contracts, by its component name (the class name less Schema)."""
    found: dict[str, type[Schema]] = {}
    for module_info in pkgutil.iter_modules(sms_mock.contracts.__path__):
        module = importlib.import_module(f"sms_mock.contracts.{module_info.name}")
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                found[name.removesuffix("Schema")] = value
    return found


def schema_named(ref: str) -> type[Schema]:
    """The schema class of `#/components/schemas/<Name>`."""
    return _schemas()[ref.rsplit("/", 1)[-1]]


# `SMS.7713 / 7714 / 7722`, `SMS.6010 to 6016`, `APIGW.0301`, `IAM.0007`, `MOCK.0404`
_CODES = re.compile(r"\b(SMS|APIGW|IAM|MOCK)\.(\d{4})((?:\s*(?:/|,|to|or|and)\s*\d{4}\b)*)")


def documented_codes(description: str) -> frozenset[str]:
    """The error codes a description names, ranges (`SMS.6010 to 6016`) spelled out."""
    codes: set[str] = set()
    for prefix, first, rest in _CODES.findall(description):
        previous = int(first)
        codes.add(f"{prefix}.{first}")
        for joiner, number in re.findall(r"(/|,|to|or|and)\s*(\d{4})", rest):
            value = int(number)
            span = range(previous + 1, value + 1) if joiner == "to" else (value,)
            codes.update(f"{prefix}.{n:04d}" for n in span)
            previous = value
    return frozenset(codes)


def _answer(status: str, response: dict[str, Any]) -> Answer:
    content = response.get("content", {})
    schemas: tuple[type[Schema], ...] = ()
    if "application/json" in content:
        schema = content["application/json"]["schema"]
        schemas = tuple(schema_named(s["$ref"]) for s in schema.get("oneOf", [schema]))
    description = response.get("description", "")
    return Answer(int(status), description, schemas, documented_codes(description))


@cache
def operations() -> tuple[Operation, ...]:
    """Every operation of the OpenAPI document, in its order."""
    document = openapi_document()
    found = []
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method not in ("get", "post", "put", "delete", "patch"):
                continue
            parameters = tuple(
                Parameter(p["name"], p["in"], p.get("schema", {}), p.get("required", False))
                for p in (*shared, *op.get("parameters", ()))
                if p["in"] in ("path", "query")
            )
            request = op.get("requestBody")
            body = None
            if request and "application/json" in request["content"]:
                body = schema_named(request["content"]["application/json"]["schema"]["$ref"])
            answers = {int(s): _answer(s, r) for s, r in op["responses"].items()}
            found.append(
                Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    parameters=parameters,
                    body=body,
                    body_required=bool(request and request.get("required")),
                    answers=answers,
                    signed=op.get("security") != [{}],
                )
            )
    return tuple(found)
