"""sms-mock: an offline emulator of Huawei Cloud SMS v3 and its IAM, with a reference client.

One import namespace for the whole project, so that nothing collides with a user's own
top-level `client`, `contracts` or `fixtures`:

- `sms_mock.mock_server`: the emulator (`create_app`, `Config`, `LiveServer`);
- `sms_mock.contracts`: the marshmallow schemas of every body on the wire;
- `sms_mock.client`: the reference client (`SmsClient`);
- `sms_mock.cli` and `sms_mock.pytest_plugin`: the command line and the pytest plugin;
- `sms_mock.serve` and `sms_mock.SmsMock` (from `sms_mock.embedded`): the emulator in process,
  in any test runner, as the plugin gives it.

In the wheel those folders sit inside this package. In a checkout (and an editable install)
they are top-level folders of the repository, beside this one; `__path__` then also names the
repository root, so `sms_mock.client` is the repository's `client/` under its public name.
This module imports nothing of the project, so that any part of it can import `__version__`:
`serve` and `SmsMock` are imported when first asked for.
"""

from pathlib import Path
from typing import Any

__version__ = "0.2.0"

_HERE = Path(__file__).resolve().parent
if not (_HERE / "mock_server").is_dir():  # a checkout: the parts are the repository's folders
    __path__.append(str(_HERE.parent))


_EMBEDDED = ("serve", "SmsMock", "SettingsError")


def __getattr__(name: str) -> Any:
    if name in _EMBEDDED:
        from sms_mock import embedded

        return getattr(embedded, name)
    raise AttributeError(f"module 'sms_mock' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EMBEDDED])
