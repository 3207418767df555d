"""What a conformance run saw, operation by operation, as Markdown and as JUnit XML.

An operation is reached when at least one request was sent to it; it conforms when every answer
it got keeps the contract. One not reached says why (a read-only run sends no writes, a show
found no id to show, a step it needed failed); it is neither a pass nor a failure, and JUnit
reports it as skipped.
"""

from __future__ import annotations

import platform
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sms_mock.contracts.conformance import ContractOperation, Violation
from sms_mock.contracts.error_codes import is_reference_code


@dataclass(frozen=True)
class Exchange:
    """One request sent and what came back."""

    method: str
    target: str  # the path and query sent (never a header: no secret is in it)
    purpose: str  # why it was sent: "an id from list_tasks", "start the task", ...
    status: int | None  # None: no answer at all
    violations: tuple[Violation, ...] = ()
    error_code: str | None = None  # an error body's `error_code`
    request_id: str | None = None
    seconds: float = 0.0
    probe: bool = False  # an id that names nothing, sent to see the 404's format

    @property
    def conforms(self) -> bool:
        return self.status is not None and not self.violations


@dataclass
class OperationResult:
    """One operation of the OpenAPI document and every request the run sent to it."""

    operation_id: str
    method: str
    path: str
    tag: str
    exchanges: list[Exchange] = field(default_factory=list)
    not_reached: str | None = None  # why nothing (or only a probe) was sent

    @property
    def reached(self) -> bool:
        return bool(self.exchanges)

    @property
    def only_probed(self) -> bool:
        """Reached by an id that names nothing alone: nothing existing was read."""
        return self.reached and all(e.probe for e in self.exchanges)

    @property
    def statuses(self) -> list[int]:
        return sorted({e.status for e in self.exchanges if e.status is not None})

    @property
    def conforming(self) -> int:
        return sum(1 for e in self.exchanges if e.conforms)

    @property
    def violations(self) -> list[Violation]:
        return [v for e in self.exchanges for v in e.violations]

    @property
    def seconds(self) -> float:
        return sum(e.seconds for e in self.exchanges)


@dataclass(frozen=True)
class ErrorCodeSeen:
    code: str
    statuses: tuple[int, ...]
    operations: tuple[str, ...]

    @property
    def in_table(self) -> str:
        """Whether the API Reference's table of SMS error codes has it."""
        if self.code.startswith("SMS."):
            return "yes" if is_reference_code(self.code) else "**no**"
        return "not an SMS code"


@dataclass
class Report:
    """A whole run: where it went, how, and each operation's result, in the document's order."""

    url: str
    iam_url: str
    mode: str  # "read-only" or "full"
    project: str
    credentials: str  # how it authenticated, in words (never a secret)
    operations: dict[str, OperationResult]
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    fatal: str | None = None  # what stopped the run early (a refused login), if anything

    @classmethod
    def of(cls, ops: tuple[ContractOperation, ...], **kwargs: object) -> Report:
        results = {
            op.operation_id: OperationResult(op.operation_id, op.method, op.path, op.tag)
            for op in ops
        }
        return cls(operations=results, **kwargs)  # type: ignore[arg-type]

    def add(self, operation_id: str, exchange: Exchange) -> None:
        self.operations[operation_id].exchanges.append(exchange)

    def not_reached(self, operation_id: str, reason: str) -> None:
        """Why an operation was not reached (or only by a probe); the first reason stays."""
        result = self.operations[operation_id]
        if (not result.reached or result.only_probed) and result.not_reached is None:
            result.not_reached = reason

    # --- figures --------------------------------------------------------------------------------

    @property
    def violations(self) -> list[Violation]:
        return [v for result in self.operations.values() for v in result.violations]

    @property
    def reached(self) -> list[OperationResult]:
        return [r for r in self.operations.values() if r.reached]

    @property
    def unreached(self) -> list[OperationResult]:
        return [r for r in self.operations.values() if not r.reached]

    @property
    def only_probed(self) -> list[OperationResult]:
        return [r for r in self.operations.values() if r.only_probed]

    @property
    def requests(self) -> int:
        return sum(len(r.exchanges) for r in self.operations.values())

    def error_codes(self) -> list[ErrorCodeSeen]:
        seen: dict[str, tuple[set[int], list[str]]] = {}
        for result in self.operations.values():
            for exchange in result.exchanges:
                if exchange.error_code is None:
                    continue
                statuses, operations = seen.setdefault(exchange.error_code, (set(), []))
                if exchange.status is not None:
                    statuses.add(exchange.status)
                if result.operation_id not in operations:
                    operations.append(result.operation_id)
        return [
            ErrorCodeSeen(code, tuple(sorted(statuses)), tuple(operations))
            for code, (statuses, operations) in sorted(seen.items())
        ]

    def verdict(self) -> str:
        total = len(self.operations)
        violations = self.violations
        conforming = sum(1 for r in self.reached if not r.violations)
        probed = len(self.only_probed)
        part = f" ({probed} only with an unknown id)" if probed else ""
        return (
            f"{total} operations: {len(self.reached)} reached{part}, {conforming} conforming, "
            f"{len(self.unreached)} not reached; {self.requests} requests, "
            f"{len(violations)} violation{'' if len(violations) == 1 else 's'}."
        )

    # --- Markdown -------------------------------------------------------------------------------

    def _header(self) -> list[str]:
        iam = "" if self.iam_url == self.url else f", IAM at {self.iam_url}"
        lines = [
            f"# Conformance of {self.url}{iam}",
            "",
            f"- mode: {self.mode}; project: {self.project}; credentials: {self.credentials}",
            f"- started {self.started.strftime('%Y-%m-%d %H:%M:%S')} UTC, "
            f"took {self.seconds:.1f} s",
            *(f"- {note}" for note in self.notes),
            "",
            *([f"**The run stopped early: {self.fatal}.**", ""] if self.fatal else []),
            f"**{self.verdict()}**",
            "",
        ]
        return lines

    def _summary(self) -> list[str]:
        lines = [
            "| operation | requests | statuses | conforming | violations |",
            "|---|---|---|---|---|",
        ]
        for r in self.operations.values():
            if not r.reached:
                lines.append(f"| `{r.operation_id}` | 0 | - | not reached | - |")
                continue
            statuses = ", ".join(str(s) for s in r.statuses) or "no answer"
            lines.append(
                f"| `{r.operation_id}` | {len(r.exchanges)} | {statuses} | "
                f"{r.conforming} of {len(r.exchanges)} | {len(r.violations)} |"
            )
        return [*lines, ""]

    def _violations(self) -> list[str]:
        lines = ["## Violations", ""]
        found = False
        for r in self.operations.values():
            for exchange in r.exchanges:
                for v in exchange.violations:
                    found = True
                    status = "no answer" if exchange.status is None else str(exchange.status)
                    field_path = f"`{v.field}`" if v.field else "the whole body"
                    request = f" (request id {v.request_id})" if v.request_id else ""
                    lines.append(
                        f"- `{r.operation_id}` {exchange.method} {_md(exchange.target)} → "
                        f"{status}: {v.where} {field_path}: {_md(v.message)}{request}"
                    )
        if not found:
            lines.append("None.")
        return [*lines, ""]

    def _error_codes(self) -> list[str]:
        lines = ["## Error codes seen", ""]
        codes = self.error_codes()
        if not codes:
            return [*lines, "None.", ""]
        lines += [
            "| code | statuses | operations | in SMS's error code table |",
            "|---|---|---|---|",
        ]
        for seen in codes:
            statuses = ", ".join(str(s) for s in seen.statuses)
            operations = ", ".join(f"`{op}`" for op in seen.operations)
            lines.append(f"| `{seen.code}` | {statuses} | {operations} | {seen.in_table} |")
        return [*lines, ""]

    def _not_reached(self) -> list[str]:
        unreached = [*self.unreached, *self.only_probed]
        if not unreached:
            return []
        lines = ["## Not reached", ""]
        by_reason: dict[str, list[str]] = {}
        for r in unreached:
            reason = r.not_reached or "no step sends it"
            if r.reached:
                reason += " (only an id that names nothing was sent)"
            by_reason.setdefault(reason, []).append(r.operation_id)
        for reason, operations in by_reason.items():
            lines.append("- " + ", ".join(f"`{op}`" for op in operations) + f": {reason}")
        return [*lines, ""]

    def _requests(self) -> list[str]:
        lines = ["## Requests by operation", ""]
        for r in self.operations.values():
            lines += [f"### `{r.operation_id}`: {r.method} {r.path}", ""]
            if not r.reached:
                lines += [f"Not reached: {r.not_reached or 'no step sends it'}.", ""]
                continue
            lines += ["| request | purpose | status | result |", "|---|---|---|---|"]
            for e in r.exchanges:
                status = "no answer" if e.status is None else str(e.status)
                if e.error_code:
                    status += f" `{e.error_code}`"
                result = "conforms" if e.conforms else f"{len(e.violations)} violation(s)"
                lines.append(
                    f"| {e.method} {_md(e.target)} | {_md(e.purpose)} | {status} | {result} |"
                )
            lines.append("")
        return lines

    def summary_markdown(self) -> str:
        """What `sms-mock conform` prints: the summary, the violations, the error codes."""
        return "\n".join(
            [
                *self._header(),
                *self._summary(),
                *self._violations(),
                *self._error_codes(),
                *self._not_reached(),
            ]
        )

    def markdown(self) -> str:
        """The whole report (`conformance.md`): the summary, then every request made."""
        return self.summary_markdown() + "\n" + "\n".join(self._requests())

    # --- JUnit XML ------------------------------------------------------------------------------

    def junit_xml(self) -> str:
        """One testcase an operation: a failure per violation, skipped when not reached.

        `failures` counts the testcases that failed, as JUnit does, not the violations."""
        failed = sum(1 for r in self.reached if r.violations)
        counts = {
            "tests": str(len(self.operations)),
            "failures": str(failed),
            "errors": "0",
            "skipped": str(len(self.unreached)),
            "time": f"{self.seconds:.3f}",
        }
        suites = ET.Element("testsuites", {"name": "sms-mock conform", **counts})
        suite = ET.SubElement(
            suites,
            "testsuite",
            {
                "name": f"sms-mock conform {self.url} ({self.mode})",
                "timestamp": self.started.strftime("%Y-%m-%dT%H:%M:%S"),
                "hostname": platform.node() or "localhost",
                **counts,
            },
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("url", self.url),
            ("iam_url", self.iam_url),
            ("mode", self.mode),
            ("project", self.project),
            ("credentials", self.credentials),
        ):
            ET.SubElement(properties, "property", name=name, value=value)
        for r in self.operations.values():
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"sms_mock.conform.{r.tag.replace(' ', '_')}",
                name=r.operation_id,
                time=f"{r.seconds:.3f}",
            )
            if not r.reached:
                ET.SubElement(case, "skipped", message=f"not reached: {r.not_reached}")
                continue
            for e in r.exchanges:
                for v in e.violations:
                    status = "no answer" if e.status is None else f"status {e.status}"
                    where = f"{v.where} {v.field or '(whole body)'}"
                    failure = ET.SubElement(
                        case,
                        "failure",
                        type="ContractViolation",
                        message=f"{where}: {v.message}",
                    )
                    failure.text = (
                        f"{e.method} {e.target} ({e.purpose}) -> {status}\n"
                        f"{where}: {v.message}\n"
                        f"request id: {v.request_id or e.request_id or '-'}"
                    )
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(
                f"{e.method} {e.target} -> {e.status if e.status is not None else 'no answer'}"
                f"{' ' + e.error_code if e.error_code else ''}: {e.purpose}"
                for e in r.exchanges
            )
        ET.indent(suites)
        body = ET.tostring(suites, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _md(text: str) -> str:
    """Text safe in a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
