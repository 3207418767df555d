"""Build hook: in the wheel, the repository's top-level parts ship inside the `sms_mock` package.

`client/`, `contracts/`, `mock_server/` and `fixtures/` stay at the top of the repository (README,
"Layout"), and the wheel installs them as `sms_mock.client`, ... so that they never collide with
a user's own top-level modules. An editable install copies nothing: there `sms_mock.__path__`
names the repository root, and the same folders are found in place.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PARTS = ("client", "contracts", "mock_server", "fixtures")


class NamespaceHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "standard":
            build_data["force_include"].update({part: f"sms_mock/{part}" for part in PARTS})
