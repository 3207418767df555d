"""The emulator of Huawei Cloud SMS v3 and its IAM: `create_app(Config(...))` or `LiveServer`.

README's "Layout" section names what each folder of this package holds.
"""

from __future__ import annotations

from sms_mock.mock_server.app import create_app
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.serving.live import LiveServer

__all__ = ["Config", "LiveServer", "create_app"]
