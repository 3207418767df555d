"""The emulator of Huawei Cloud SMS v3 and its IAM: `create_app(Config(...))` or `LiveServer`.

README's "Layout" section names what each folder of this package holds.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sms_mock.mock_server.app import create_app
    from sms_mock.mock_server.config import Config
    from sms_mock.mock_server.serving.live import LiveServer

__all__ = ["Config", "LiveServer", "create_app"]

# Imported when first asked for, so that a part of the package loads without the whole
# emulator (the command line holds the garbage collector off before it loads the rest).
_MODULES = {"create_app": "app", "Config": "config", "LiveServer": "serving.live"}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULES])
