"""IAM's service directory: the services this emulator serves, their endpoints and regions.

Two services: `iam`, global (region `*`), at the IAM listener's URL; and `sms`, with one
endpoint a region, at the main URL. A region is the region of a project's name
("cn-north-4", or "cn-north-4_dev" for a sub-project), over every project the account holds:
IAM's directory is the same for every caller.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from sms_mock.mock_server.iam.models import Account, Project

GLOBAL_REGION = "*"
INTERFACE = "public"


@functools.lru_cache(maxsize=4096)  # the same few ids, asked for on every token's catalog
def _id(*parts: str) -> str:
    return hashlib.md5(":".join(parts).encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class ServiceEntry:
    type: str
    description: str

    @property
    def id(self) -> str:
        return _id(self.type)


SERVICES = (
    ServiceEntry("iam", "Identity and Access Management"),
    ServiceEntry("sms", "Server Migration Service"),
)


@dataclass(frozen=True)
class EndpointEntry:
    service: ServiceEntry
    region: str
    url: str

    @property
    def id(self) -> str:
        return _id(self.service.type, self.region)


def region_of(project: Project) -> str:
    """A project's region: its name up to a sub-project's `_`."""
    return project.name.split("_", 1)[0]


class Directory:
    """The directory as a caller sees it, from the account and the two listeners' URLs."""

    def __init__(self, account: Account, sms_url: str, iam_url: str) -> None:
        self.account = account
        self.sms_url = sms_url
        self.iam_url = iam_url

    def regions(self) -> list[str]:
        return sorted({region_of(p) for p in self.account.projects.values()})

    def endpoints(self) -> list[EndpointEntry]:
        iam, sms = SERVICES
        return [EndpointEntry(iam, GLOBAL_REGION, f"{self.iam_url}/v3")] + [
            EndpointEntry(sms, region, self.sms_url) for region in self.regions()
        ]

    def catalog(self, project: Project | None) -> list[dict[str, Any]]:
        """A token's catalog: the global services, and the regional ones in the region of its
        project. A domain-scoped or unscoped token gets the global ones only."""
        region = region_of(project) if project else None
        chosen = [e for e in self.endpoints() if e.region in (GLOBAL_REGION, region)]
        return [
            {
                "type": service.type,
                "id": service.id,
                "name": service.type,
                "endpoints": [
                    {
                        "url": e.url,
                        "region": e.region,
                        "region_id": e.region,
                        "interface": INTERFACE,
                        "id": e.id,
                    }
                    for e in chosen
                    if e.service == service
                ],
            }
            for service in SERVICES
            if any(e.service == service for e in chosen)
        ]

    # --- bodies of the listing calls -------------------------------------------------------

    def service_body(self, service: ServiceEntry) -> dict[str, Any]:
        return {
            "id": service.id,
            "name": service.type,
            "type": service.type,
            "description": service.description,
            "enabled": True,
            "links": {"self": f"{self.iam_url}/v3/services/{service.id}"},
        }

    def endpoint_body(self, endpoint: EndpointEntry) -> dict[str, Any]:
        return {
            "id": endpoint.id,
            "interface": INTERFACE,
            "region": endpoint.region,
            "region_id": endpoint.region,
            "service_id": endpoint.service.id,
            "url": endpoint.url,
            "enabled": True,
            "links": {"self": f"{self.iam_url}/v3/endpoints/{endpoint.id}"},
        }

    def region_body(self, region: str) -> dict[str, Any]:
        return {
            "id": region,
            "type": "public",
            "description": "",
            "parent_region_id": None,
            "locales": {"zh-cn": region, "en-us": region},
            "links": {"self": f"{self.iam_url}/v3/regions/{region}"},
        }
