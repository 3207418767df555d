"""Source servers (`/v3/sources`, `/v3/errors`): a mixin of `SmsClient`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sms_mock.client import models
from sms_mock.client.calls import PAGE_SIZE, Calls, check_request, every_item, query_of
from sms_mock.contracts.sources import (
    DeleteIdsRequestSchema,
    DiskInfoRequestSchema,
    ErrorListQuerySchema,
    ErrorListSchema,
    IdResponseSchema,
    RegisterSourceRequestSchema,
    SourceListQuerySchema,
    SourceListSchema,
    SourceOverviewSchema,
    SourceSchema,
    SourceStateRequestSchema,
    UpdateSourceRequestSchema,
)


class SourcesMixin(Calls):
    """Register, read, adjust and delete the project's source servers."""

    def register_source(self, body: dict[str, Any]) -> str:
        """Register a source as its agent does (a PostSourceServerBody); its id."""
        check_request(RegisterSourceRequestSchema, body, "register source request")
        answer = self._write("POST", "/v3/sources", body)
        return models.load(IdResponseSchema, answer, "register source response").id

    def get_source(self, source_id: str) -> models.Source:
        """The source server (`client.models.Source`)."""
        return models.load(SourceSchema, self._read(f"/v3/sources/{source_id}"), "source")

    def list_sources(
        self,
        *,
        state: str | None = None,
        name: str | None = None,
        id: str | None = None,
        ip: str | None = None,
        ipv6: str | None = None,
        migproject: str | None = None,
        migration_cycle: str | None = None,
        connected: bool | None = None,
        enterprise_project_id: str | None = None,
        is_consistency_result_exist: bool | None = None,
        vm_id: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[models.SourceSummary]:
        """Every matching source (`client.models.SourceSummary`), page after page."""
        query = query_of(
            state=state,
            name=name,
            id=id,
            ip=ip,
            ipv6=ipv6,
            migproject=migproject,
            migration_cycle=migration_cycle,
            connected=connected,
            enterprise_project_id=enterprise_project_id,
            is_consistency_result_exist=is_consistency_result_exist,
            vm_id=vm_id,
        )
        return every_item(
            lambda limit, offset: self.list_sources_page(limit=limit, offset=offset, **query),
            "source_servers",
            page_size,
        )

    def list_sources_page(
        self, *, limit: int = PAGE_SIZE, offset: int = 0, **query: Any
    ) -> models.SourcePage:
        """One page (`client.models.SourcePage`: `count` of all matches, `source_servers`)."""
        params = query_of(**query, limit=limit, offset=offset)
        check_request(SourceListQuerySchema, params, "source list query")
        return models.load(SourceListSchema, self._read("/v3/sources", params), "source list")

    def source_overview(self) -> models.SourceOverview:
        """How many sources are in each state (`client.models.SourceOverview`)."""
        body = self._read("/v3/sources/overview")
        return models.load(SourceOverviewSchema, body, "source overview")

    def list_error_servers(
        self,
        *,
        migproject: str | None = None,
        enterprise_project_id: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[models.MigrationError]:
        """Every source whose task failed (`client.models.MigrationError`), page after page."""
        query = query_of(migproject=migproject, enterprise_project_id=enterprise_project_id)
        return every_item(
            lambda limit, offset: self.list_error_servers_page(limit=limit, offset=offset, **query),
            "migration_errors",
            page_size,
        )

    def list_error_servers_page(
        self, *, limit: int = 50, offset: int = 0, **query: Any
    ) -> models.MigrationErrorPage:
        """One page of failed sources (`client.models.MigrationErrorPage`)."""
        params = query_of(**query, limit=limit, offset=offset)
        check_request(ErrorListQuerySchema, params, "error list query")
        return models.load(ErrorListSchema, self._read("/v3/errors", params), "error list")

    def update_source(
        self,
        source_id: str,
        *,
        name: str | None = None,
        migprojectid: str | None = None,
        disks: list[dict[str, Any]] | None = None,
        volume_groups: list[dict[str, Any]] | None = None,
    ) -> None:
        """Rename a source, move it to another migproject, or adjust its disks (PUT)."""
        given = {"name": name, "migprojectid": migprojectid, "disks": disks,
                 "volume_groups": volume_groups}  # fmt: skip
        body = {key: value for key, value in given.items() if value is not None}
        check_request(UpdateSourceRequestSchema, body, "update source request")
        self._write("PUT", f"/v3/sources/{source_id}", body)

    def rename_source(self, source_id: str, name: str) -> None:
        """Give the source a new name."""
        self.update_source(source_id, name=name)

    def change_source_state(
        self, source_id: str, *, copystate: str | None = None, migrationcycle: str | None = None
    ) -> None:
        """Set the source's copy state and migration cycle (PUT .../changestate)."""
        given = {"copystate": copystate, "migrationcycle": migrationcycle}
        body = {key: value for key, value in given.items() if value is not None}
        check_request(SourceStateRequestSchema, body, "change source state request")
        self._write("PUT", f"/v3/sources/{source_id}/changestate", body)

    def update_disk_info(
        self,
        source_id: str,
        *,
        disks: list[dict[str, Any]] | None = None,
        volumegroups: list[dict[str, Any]] | None = None,
        btrfs_list: list[dict[str, Any]] | None = None,
    ) -> None:
        """Replace the source's disks, volume groups or btrfs as given (PUT .../diskinfo)."""
        given = {"disks": disks, "volumegroups": volumegroups, "btrfs_list": btrfs_list}
        body = {key: value for key, value in given.items() if value is not None}
        check_request(DiskInfoRequestSchema, body, "disk info request")
        self._write("PUT", f"/v3/sources/{source_id}/diskinfo", body)

    def delete_source(self, source_id: str) -> None:
        """Delete the source (and its idle task)."""
        self._write("DELETE", f"/v3/sources/{source_id}")

    def delete_sources(self, source_ids: Iterable[str]) -> None:
        """Delete several sources, all or none."""
        body = {"ids": list(source_ids)}
        check_request(DeleteIdsRequestSchema, body, "delete sources request")
        self._write("POST", "/v3/sources/delete", body)
