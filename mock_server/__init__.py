"""An offline emulator of Huawei Cloud SMS v3 and its IAM token service."""

from __future__ import annotations

__version__ = "0.1.0"

from mock_server.app import create_app
from mock_server.emulator import Config

__all__ = ["Config", "__version__", "create_app"]
