"""Concurrent clicks through HTTP: two approvals of the same task racing each other give
one decision and one 409; with the same Idempotency-Key both get the first result."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.api.conftest import Api
from tests.api.test_flows import start_store, task_of


async def _race(api: Api, url: str, headers: dict[str, str], n: int) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=api.client.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://signoff") as client:
        return list(await asyncio.gather(*(client.post(url, headers=headers, json={})
                                           for _ in range(n))))


def _bearer(api: Api, username: str) -> dict[str, str]:
    return dict(api.as_(username).headers)


def test_double_click_approves_once(api: Api) -> None:
    iid = start_store(api)["id"]
    task = task_of(api.as_("zhao.lei"), iid)["id"]
    before = api.event_count()
    responses = asyncio.run(_race(api, f"/api/tasks/{task}/approve", _bearer(api, "zhao.lei"), 4))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409, 409, 409], [r.text for r in responses]
    decided = [e for e in api.as_("xu.ming").get(f"/api/instances/{iid}").json()["timeline"]
               if e["kind"] == "task_decided" and e["actor"] == "zhao.lei"]
    assert len(decided) == 1
    winner: dict[str, Any] = next(r.json() for r in responses if r.status_code == 200)
    assert winner["current_node"] == "site_review"
    assert api.event_count() > before


def test_retries_with_one_key_share_the_first_result(api: Api) -> None:
    iid = start_store(api)["id"]
    task = task_of(api.as_("zhao.lei"), iid)["id"]
    headers = {**_bearer(api, "zhao.lei"), "Idempotency-Key": "click-1"}
    responses = asyncio.run(_race(api, f"/api/tasks/{task}/approve", headers, 4))
    assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
    assert len({r.json()["current_node"] for r in responses}) == 1
    decided = [e for e in api.as_("xu.ming").get(f"/api/instances/{iid}").json()["timeline"]
               if e["kind"] == "task_decided"]
    assert len(decided) == 1
