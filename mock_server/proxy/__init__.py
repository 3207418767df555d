"""`sms-mock proxy`: the emulator's gateway in front of another SMS endpoint, the real one included.

Every Huawei-facing request is forwarded to the upstream (`forward.py`), AK/SK requests re-signed
with the proxy's own credentials, and each request and answer is held to the contracts
(`sms_mock.contracts.conformance`); the control plane, the dashboard, the journal, HTTP faults and
the host allow-list are the emulator's own, as under `sms-mock serve`. `--record` writes every
exchange as HAR 1.2, secrets redacted (`har.py`).
"""

from sms_mock.mock_server.proxy.app import create_proxy_app
from sms_mock.mock_server.proxy.settings import ProxySettings

__all__ = ["ProxySettings", "create_proxy_app"]
