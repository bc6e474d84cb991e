"""Lists that scale: request numbers, search over number, title and form data, filters
(status, process, step, overdue, dates), sort, server-side paging and the Excel exports
of the inbox and the request lists (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from engine import queries
from tests.api.conftest import Api, As
from tests.api.test_flows import decide, start_store

SAMPLES = {"store_code": "SH001", "region": "east", "season": "AW26",
           "needed_by": "2026-04-01", "items": [{"sku": "MQ-001", "quantity": 2}]}
NUMBER = re.compile(r"^[A-Z][A-Z0-9]*-\d{4}-\d{5}$")


def ids(page: dict[str, Any]) -> list[str]:
    return [i["id"] if "instance_id" not in i else i["instance_id"] for i in page["items"]]


def listed(user: As, url: str = "/api/instances", **params: Any) -> dict[str, Any]:
    r = user.get(url, params=params)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_requests_get_numbers_people_can_quote(api: Api) -> None:
    first = start_store(api, store_name="Alpha")
    api.clock.advance(timedelta(minutes=1))
    second = start_store(api, store_name="Beta")
    sample = api.as_("bai.lu").post("/api/instances", json={"definition": "sample_order",
                                                            "data": SAMPLES})
    assert sample.status_code == 201, sample.text
    # the process's declared prefix, the year of the start, one sequence per prefix
    assert (first["number"], second["number"]) == ("SO-2026-00001", "SO-2026-00002")
    assert sample.json()["number"] == "SMP-2026-00001"
    boss = api.as_("zhao.lei")
    page = boss.get(f"/api/instances/{first['id']}").json()
    assert page["number"] == "SO-2026-00001"  # the request page, read afresh
    inbox = listed(boss, "/api/tasks")
    assert {t["number"] for t in inbox["items"]} == {"SO-2026-00001", "SO-2026-00002"}
    mine = listed(api.as_("xu.ming"))
    assert [i["number"] for i in mine["items"]] == ["SO-2026-00002", "SO-2026-00001"]
    board = boss.get("/api/board", params={"scope": "all"})
    if board.status_code == 200:  # the board's rows carry it too
        assert all(NUMBER.match(r["number"]) for r in board.json()["items"])
    bell = boss.get("/api/notifications").json()  # the messages quote it
    assert {n["payload"]["request_number"] for n in bell} == {"SO-2026-00001",
                                                               "SO-2026-00002"}
    # quoted, it finds the request (whole or its tail), in every list
    assert ids(listed(api.as_("xu.ming"), q="so-2026-00002")) == [second["id"]]
    assert ids(listed(boss, "/api/tasks", q="00001")) == [first["id"]]


def test_search_covers_title_and_form_fields_in_any_script(api: Api) -> None:
    west = start_store(api, store_name="West Lake", city="Hangzhou",
                       address="1 Hubin Road")
    east = start_store(api, store_name="East Bund", city="Shanghai",
                       address="88 Zhongshan Road")
    chinese = start_store(api, store_name="南京路旗舰店", city="Shanghai",
                          address="南京东路 100 号")
    me = api.as_("xu.ming")
    assert ids(listed(me, q="west")) == [west["id"]]  # title, any case
    assert ids(listed(me, q="ZHONGSHAN")) == [east["id"]]  # a form field
    assert set(ids(listed(me, q="shanghai road"))) == {east["id"]}  # every word
    assert ids(listed(me, q="南京东路")) == [chinese["id"]]  # non-ASCII form data
    assert ids(listed(me, q="旗舰")) == [chinese["id"]]  # and title
    assert listed(me, q="100%")["total"] == 0  # wildcards are plain characters
    assert listed(me, q="_")["total"] == 0  # field names (store_name) are not searched
    assert listed(me, q="store_name")["total"] == 0
    assert set(ids(listed(api.as_("zhao.lei"), "/api/tasks", q="hangzhou"))) == {west["id"]}
    assert listed(api.as_("zhao.lei"), "/api/tasks", q="nowhere")["total"] == 0


def test_filters_sort_and_pages(api: Api) -> None:
    old = start_store(api, store_name="Old one")  # 2026-03-02
    api.clock.advance(timedelta(days=3))  # its 2-day SLA has passed
    returned = start_store(api, store_name="Sent back")  # 2026-03-05
    decide(api, "zhao.lei", returned["id"], "return", comment="Add the floor plan")
    api.clock.advance(timedelta(days=10))
    fresh = []
    for n in range(3):
        fresh.append(start_store(api, store_name=f"Fresh {n}")["id"])
        api.clock.advance(timedelta(minutes=1))
    me = api.as_("xu.ming")

    assert ids(listed(me, status="returned")) == [returned["id"]]
    assert set(ids(listed(me, status="open"))) == {old["id"], returned["id"], *fresh}
    assert ids(listed(me, overdue="true")) == [old["id"]]
    assert set(ids(listed(me, overdue="false"))) == {returned["id"], *fresh}
    boss = api.as_("zhao.lei")
    assert ids(listed(boss, "/api/tasks", overdue="true")) == [old["id"]]
    # dates are calendar days in the organisation's time zone, both ends included
    assert ids(listed(me, **{"from": "2026-03-05", "to": "2026-03-05"})) == [returned["id"]]
    assert set(ids(listed(me, **{"from": "2026-03-06"}))) == set(fresh)
    assert ids(listed(me, to="2026-03-02")) == [old["id"]]
    bad = me.get("/api/instances", params={"from": "2026-03-09", "to": "2026-03-01"})
    assert bad.status_code == 422 and "before" in bad.json()["detail"]
    assert listed(me, node="regional_review")["total"] == 4  # the returned one is not
    assert listed(me, definition="sample_order")["total"] == 0

    by_title = listed(me, sort="title")["items"]
    assert [i["title"] for i in by_title] == sorted(i["title"] for i in by_title)
    assert ids(listed(me, sort="number"))[0] == old["id"]
    assert ids(listed(me, sort="-number"))[0] == fresh[-1]
    # server-side pages: the same order, no row twice, the total on every page
    pages = [listed(me, limit=2, offset=n) for n in (0, 2, 4)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert all(p["total"] == 5 and p["total_exact"] for p in pages)
    assert [i for p in pages for i in ids(p)] == ids(listed(me))
    assert ids(listed(me))[0] == fresh[-1]  # newest first by default
    inbox = [listed(boss, "/api/tasks", limit=2, offset=n, sort="created") for n in (0, 2)]
    assert [len(p["items"]) for p in inbox] == [2, 2]
    assert all(p["total"] == 4 for p in inbox)

    wrong = me.get("/api/instances", params={"sort": "colour", "status": "lost"})
    assert wrong.status_code == 422
    assert me.get("/api/instances", params={"sort": "colour"}).json()["detail"].startswith(
        "unknown sort")
    assert me.get("/api/instances", params={"offset": 100_001}).status_code == 422


def test_past_the_cap_the_total_is_an_estimate(api: Api,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(4):
        start_store(api, store_name=f"Counted {n}")
    me = api.as_("xu.ming")
    assert listed(me, limit=1)["total_exact"]  # 4 rows: counted
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    page = listed(me, limit=1)
    # beyond the cap nobody counts every row: PostgreSQL's planner estimates, SQLite
    # stops counting at the cap
    assert not page["total_exact"] and page["total"] >= 3
    whole = listed(me, limit=10)  # a first page with room to spare counts itself
    assert whole["total"] == 4 and whole["total_exact"]


def test_all_requests_are_for_owners_and_admins(api: Api) -> None:
    mine = start_store(api, store_name="Someone's")
    assert api.as_("zhao.lei").get("/api/instances", params={"scope": "all"}
                                   ).status_code == 403
    assert api.as_("zhao.lei").get("/api/instances.xlsx", params={"scope": "all"}
                                   ).status_code == 403
    for who in ("admin", "chen.jing"):
        assert ids(listed(api.as_(who), scope="all", q="someone")) == [mine["id"]]


def _sheet(body: bytes) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(body), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_every_list_exports_to_excel_with_its_filters(api: Api) -> None:
    start_store(api, store_name="Exported")
    start_store(api, store_name="Left out")
    me = api.as_("xu.ming")
    r = me.get("/api/instances.xlsx", params={"q": "exported"})
    assert r.status_code == 200, r.text
    rows = _sheet(r.content)
    assert rows[0][:2] == ["Request", "Title"]
    assert [row[:2] for row in rows[1:]] == [["SO-2026-00001", "New store: Exported (Shanghai)"]]
    r = api.as_("zhao.lei").get("/api/tasks.xlsx", params={"q": "left"},
                                headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200, r.text
    rows = _sheet(r.content)
    assert rows[0][0] == "申请编号"
    assert [row[0] for row in rows[1:]] == ["SO-2026-00002"]
