"""The loaded queries of GET /v3/tasks kept for polling clients: parameters the API does not
declare are ignored, and a query padded with them is answered but not kept."""

from __future__ import annotations

from sms_mock.mock_server import Config, create_app
from sms_mock.mock_server.sms import task_routes
from tests.support.accounts import issue_token
from tests.support.calls import auth


def test_a_query_padded_with_unknown_parameters_is_answered_and_not_kept() -> None:
    client = create_app(Config()).test_client()
    headers = auth(issue_token(client))
    task_routes._list_queries.clear()
    for n in range(20):
        query = f"limit=10&offset=0&pad{n}=" + "x" * 100_000
        response = client.get("/v3/tasks?" + query, headers=headers)
        assert response.status_code == 200
        assert response.get_json()["count"] >= 0
    assert sum(len(raw) for raw in task_routes._list_queries) < 10_000
    assert client.get("/v3/tasks?limit=10&offset=0", headers=headers).status_code == 200
    assert b"limit=10&offset=0" in task_routes._list_queries  # a short one is still kept
