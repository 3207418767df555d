"""The reference client of the emulated (or real) Huawei Cloud SMS v3 API: tasks and their
settings, source servers, server templates, migration projects and the project's settings.

Every body it sends is checked against the request schemas of `contracts` first, and every body
it receives is loaded through the response schemas into typed objects (`client.models`); a body
that breaks the contract raises `ContractViolation` naming the field.
"""

from sms_mock.client.client import SmsClient
from sms_mock.client.errors import (
    ApiError,
    BadRequest,
    ContractViolation,
    Forbidden,
    NotFound,
    ServerError,
    SmsClientError,
    TaskFailed,
    TaskSettledElsewhere,
    Unauthorized,
    WaitTimeout,
    WrongState,
)
from sms_mock.client.models import (
    AgentConfig,
    ConfigBody,
    ConfigSettings,
    Migproject,
    MigprojectDetail,
    MigrationError,
    Source,
    SourceOverview,
    SourceSummary,
    SpeedWindow,
    TargetPassword,
    Task,
    TaskPage,
    TaskSummary,
    Template,
)
from sms_mock.client.transport import RetryPolicy

__all__ = [
    "AgentConfig",
    "ApiError",
    "BadRequest",
    "ConfigBody",
    "ConfigSettings",
    "ContractViolation",
    "Forbidden",
    "Migproject",
    "MigprojectDetail",
    "MigrationError",
    "NotFound",
    "RetryPolicy",
    "ServerError",
    "SmsClient",
    "SmsClientError",
    "Source",
    "SourceOverview",
    "SourceSummary",
    "SpeedWindow",
    "TargetPassword",
    "Task",
    "TaskFailed",
    "TaskPage",
    "TaskSettledElsewhere",
    "TaskSummary",
    "Template",
    "Unauthorized",
    "WaitTimeout",
    "WrongState",
]
