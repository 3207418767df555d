"""The credentials `sms-mock proxy` and `sms-mock conform` use: never from the command line.

From the environment, under the official SDKs' own names for an AK/SK pair
(`HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_SECURITY_TOKEN` for temporary
ones) and `SMS_MOCK_USERNAME`, `SMS_MOCK_PASSWORD`, `SMS_MOCK_DOMAIN`, `SMS_MOCK_PROJECT` for a
password login; or from a JSON file (`--credentials FILE`) holding the same keys in lower case:
`ak`, `sk`, `security_token`, `username`, `password`, `domain`, `project`. A file, when given,
is the only source: nothing of the environment is mixed into it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

ENVIRONMENT = {
    "ak": "HUAWEICLOUD_SDK_AK",
    "sk": "HUAWEICLOUD_SDK_SK",
    "security_token": "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    "username": "SMS_MOCK_USERNAME",
    "password": "SMS_MOCK_PASSWORD",
    "domain": "SMS_MOCK_DOMAIN",
    "project": "SMS_MOCK_PROJECT",
}


class CredentialsError(ValueError):
    """Credentials that cannot be used: the message says which file or variable, and why."""


@dataclass(frozen=True)
class Credentials:
    ak: str | None = None
    sk: str | None = None
    security_token: str | None = None
    username: str | None = None
    password: str | None = None
    domain: str | None = None
    project: str | None = None

    @property
    def has_aksk(self) -> bool:
        return bool(self.ak and self.sk)

    @property
    def has_password(self) -> bool:
        return bool(self.username and self.password)

    def secrets(self) -> tuple[str, ...]:
        """The values no log or recording may show."""
        return tuple(v for v in (self.sk, self.password, self.security_token) if v)

    def __repr__(self) -> str:  # never the secrets, even in a traceback
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("sk", "password", "security_token"):
            if shown[name]:
                shown[name] = "***"
        return "Credentials(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


def _checked(
    values: Mapping[str, object], origin: str, names: Mapping[str, str] | None = None
) -> Credentials:
    """`names`: how `origin` spells each key (the environment's variables)."""

    def name(key: str) -> str:
        return names[key] if names else key

    for key, value in values.items():
        if not isinstance(value, str):
            raise CredentialsError(f"{origin}: {name(key)} must be a string")
    given = {key: value for key, value in values.items() if value}
    credentials = Credentials(**given)  # type: ignore[arg-type]
    if bool(credentials.ak) != bool(credentials.sk):
        raise CredentialsError(f"{origin}: give both {name('ak')} and {name('sk')}, or neither")
    if bool(credentials.username) != bool(credentials.password):
        raise CredentialsError(
            f"{origin}: give both {name('username')} and {name('password')}, or neither"
        )
    return credentials


def from_file(path: Path) -> Credentials:
    """The credentials of a JSON file; CredentialsError naming the file and the problem."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CredentialsError(f"--credentials {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CredentialsError(f"--credentials {path}: not a JSON file ({exc})") from None
    if not isinstance(data, dict):
        raise CredentialsError(f"--credentials {path}: must be a JSON object")
    unknown = sorted(set(data) - set(ENVIRONMENT))
    if unknown:
        known = ", ".join(ENVIRONMENT)
        raise CredentialsError(
            f"--credentials {path}: unknown key {', '.join(unknown)} (known: {known})"
        )
    return _checked(data, f"--credentials {path}")


def from_environment(environ: Mapping[str, str] | None = None) -> Credentials:
    environ = os.environ if environ is None else environ
    values = {key: environ.get(name, "") for key, name in ENVIRONMENT.items()}
    return _checked(values, "the environment", ENVIRONMENT)


def load_credentials(
    path: Path | None = None, environ: Mapping[str, str] | None = None
) -> Credentials:
    """`path`'s credentials when given, else the environment's."""
    return from_file(path) if path is not None else from_environment(environ)
