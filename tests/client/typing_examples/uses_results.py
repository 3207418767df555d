"""Code a user writes against the client; a type checker must accept it as it is."""

from __future__ import annotations

from sms_mock.client import SmsClient


def describe(client: SmsClient) -> str:
    task = client.get_task("sample-ready")
    state: str | None = task.state
    created: int | None = task.create_date
    names = [s.name for s in task.sub_tasks or []]
    page = client.list_tasks_page(limit=5)
    count: int = page.count
    first = next(client.list_tasks())
    source = client.get_source("src-linux-file")
    disks = [d.size for d in source.disks or []]
    return f"{state} {created} {names} {count} {first.id} {disks}"
