"""`sms-mock conform`: the contract suite against any endpoint, as a report.

For every operation of the OpenAPI document it sends requests (only reads with `read_only`; else
a stateful run that makes, drives and deletes what a migration needs), holds each answer to the
contracts (`sms_mock.contracts.conformance`) and reports, operation by operation, the requests
made, the statuses seen, the answers that keep the contract, the violations with their field
paths and the error codes seen, as Markdown and JUnit XML.
"""

from sms_mock.conformance.caller import Unreachable
from sms_mock.conformance.context import Options, UsageError
from sms_mock.conformance.report import Report
from sms_mock.conformance.runner import run

__all__ = ["Options", "Report", "Unreachable", "UsageError", "run"]
