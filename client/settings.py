"""The service's settings of a project (`/v3/config`, `/v3/privacy-agreements`): a mixin of
`SmsClient`."""

from __future__ import annotations

from sms_mock.client import models
from sms_mock.client.calls import Calls
from sms_mock.contracts.migprojects import ConfigSchema, PrivacyAgreementSchema


class SettingsMixin(Calls):
    """The agent's configuration and the project's privacy agreement."""

    def get_config(self) -> models.AgentConfig:
        """The agent's configuration (`client.models.AgentConfig`: `config`, `regions`)."""
        return models.load(ConfigSchema, self._read("/v3/config"), "config")

    def get_privacy_agreement(self) -> bool:
        """Whether the privacy statement has been agreed to in this project."""
        body = self._read("/v3/privacy-agreements")
        return models.load(PrivacyAgreementSchema, body, "privacy agreement").flag

    def agree_privacy(self) -> None:
        """Agree to the privacy statement for this project (POST, no body)."""
        self._write("POST", "/v3/privacy-agreements")
