"""The inbox: filters by process and node, overdue first, pagination, and request lists."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.api.conftest import Api, As
from tests.api.test_flows import decide, start_store

SAMPLES = {"store_code": "SH001", "region": "east", "season": "AW26",
           "needed_by": "2026-04-01", "items": [{"sku": "MQ-001", "quantity": 2}]}


def test_inbox_filters_sorts_and_pages(api: Api) -> None:
    first = start_store(api, store_name="Oldest")["id"]
    api.clock.advance(timedelta(days=3))  # the first task is now past its 2-day SLA
    second = start_store(api, store_name="Newer")["id"]
    r = api.as_("bai.lu").post("/api/instances", json={"definition": "sample_order",
                                                       "data": SAMPLES})
    assert r.status_code == 201, r.text
    decide(api, "li.na", r.json()["id"])  # bai.lu's store manager; now at the sample desk
    api.clock.advance(timedelta(hours=1))
    boss = api.as_("zhao.lei")

    page = boss.get("/api/tasks", params={"sort": "overdue_first"}).json()
    assert page["total"] == 2
    assert [t["instance_id"] for t in page["items"]] == [first, second]
    assert page["items"][0]["overdue"] and not page["items"][1]["overdue"]
    newest = boss.get("/api/tasks", params={"sort": "created"}).json()["items"]
    assert [t["instance_id"] for t in newest] == [second, first]
    one = boss.get("/api/tasks", params={"limit": 1, "offset": 1}).json()
    assert one["total"] == 2 and [t["instance_id"] for t in one["items"]] == [second]
    assert boss.get("/api/tasks", params={"definition": "sample_order"}).json()["total"] == 0
    assert boss.get("/api/tasks", params={"node": "regional_review"}).json()["total"] == 2
    assert boss.get("/api/tasks", params={"node": "vp_review"}).json()["total"] == 0
    bad = boss.get("/api/tasks", params={"sort": "random", "limit": 0})
    assert bad.status_code == 422
    assert {e["parameter"] for e in bad.json()["errors"]} == {"sort", "limit"}

    desk = api.as_("qian.yu").get("/api/tasks", params={"definition": "sample_order"}).json()
    assert desk["total"] == 1 and desk["items"][0]["node"] == "sample_manager"


def test_request_lists_filter_by_status_and_process(api: Api) -> None:
    running = start_store(api, store_name="Running")["id"]
    withdrawn = start_store(api, store_name="Withdrawn")["id"]
    assert api.as_("xu.ming").post(f"/api/instances/{withdrawn}/withdraw").status_code == 200
    me = api.as_("xu.ming")
    assert me.get("/api/instances").json()["total"] == 2
    only_running = me.get("/api/instances", params={"status": "running"}).json()
    assert [i["id"] for i in only_running["items"]] == [running]
    assert only_running["items"][0]["holders"] == ["zhao.lei"]
    finished = me.get("/api/instances", params={"status": "finished"}).json()
    assert [i["status"] for i in finished["items"]] == ["withdrawn"]
    assert me.get("/api/instances", params={"definition": "sample_order"}).json()["total"] == 0
    everything = api.as_("admin").get("/api/instances", params={"scope": "all"}).json()
    assert everything["total"] == 2
    assert api.as_("zhao.lei").get("/api/instances").json()["total"] == 0  # not his requests


def _pages(user: As, sort: str, limit: int) -> tuple[list[list[str]], list[str | None]]:
    """Every page of the inbox by cursor: the task ids of each, and each page's next."""
    pages: list[list[str]] = []
    nexts: list[str | None] = []
    params: dict[str, object] = {"sort": sort, "limit": limit}
    while True:
        page = user.get("/api/tasks", params=params).json()
        pages.append([t["id"] for t in page["items"]])
        nexts.append(page["next"])
        if page["next"] is None:
            return pages, nexts
        params = {"sort": sort, "limit": limit, "after": page["next"]}


def test_cursor_paging_walks_the_same_rows_as_offsets_in_every_sort(api: Api) -> None:
    for n in range(5):
        start_store(api, store_name=f"Store {n}")
        api.clock.advance(timedelta(hours=1 if n != 2 else 0))  # two arrive together
    boss = api.as_("zhao.lei")
    for sort in ("due", "overdue_first", "created", "-created", "started"):
        every = [t["id"] for t in boss.get("/api/tasks", params={"sort": sort}).json()["items"]]
        assert len(every) == 5
        pages, nexts = _pages(boss, sort, 2)
        assert pages == [every[:2], every[2:4], every[4:]], sort
        assert nexts[-1] is None and all(nexts[:-1])
        by_offset = [[t["id"] for t in boss.get("/api/tasks", params={
            "sort": sort, "limit": 2, "offset": o}).json()["items"]] for o in (0, 2, 4)]
        assert by_offset == pages
    # a cursor is the page's place, not a snapshot: a task decided meanwhile is skipped
    first = boss.get("/api/tasks", params={"limit": 2}).json()
    third = next(t for t in boss.get("/api/tasks").json()["items"][2:3])
    decide(api, "zhao.lei", third["instance_id"])
    rest = boss.get("/api/tasks", params={"limit": 2, "after": first["next"]}).json()
    assert third["id"] not in [t["id"] for t in rest["items"]]
    assert rest["total"] == 4 and len(rest["items"]) == 2


def test_a_bad_cursor_is_a_clear_422(api: Api) -> None:
    start_store(api)
    start_store(api)
    boss = api.as_("zhao.lei")
    cursor = boss.get("/api/tasks", params={"limit": 1}).json()["next"]
    for params, says in [({"after": "not-a-cursor"}, "cursor"),
                         ({"after": cursor, "sort": "created"}, "cursor"),
                         ({"after": cursor, "offset": 1}, "not both")]:
        r = boss.get("/api/tasks", params=params)
        assert r.status_code == 422, r.text
        assert says in r.json()["detail"]


def test_an_unchanged_inbox_page_is_a_304_and_any_change_shows(api: Api) -> None:
    iid = start_store(api, store_name="First")["id"]
    boss = api.as_("zhao.lei")

    def tag_after(**params: object) -> str:
        r = boss.get("/api/tasks", params=params)
        assert r.status_code == 200 and r.headers["cache-control"] == "private, no-cache"
        return str(r.headers["etag"])

    def unchanged(tag: str, **params: object) -> bool:
        r = boss.get("/api/tasks", params=params, headers={"If-None-Match": tag})
        assert r.status_code in (200, 304), r.text
        if r.status_code == 304:
            assert r.content == b"" and r.headers["etag"] in tag
        return r.status_code == 304

    tag = tag_after()
    assert unchanged(tag) and unchanged(f'"x", {tag}')
    assert not unchanged(tag, limit=1)  # another query is another page
    zh = boss.get("/api/tasks", headers={"Accept-Language": "zh-CN"}).headers["etag"]
    assert zh != tag
    assert not unchanged(tag.replace("W/", "") + "0")
    assert api.as_("xu.ming").get("/api/tasks").headers["etag"] != tag  # another caller

    # a comment: the request's version moves, so the page may show something new
    assert api.as_("xu.ming").post(f"/api/instances/{iid}/comments",
                                   json={"text": "Landlord confirmed"}).status_code == 200
    assert not unchanged(tag)
    tag = tag_after()
    # time alone: the task becomes due soon, then overdue
    task = boss.get("/api/tasks").json()["items"][0]
    due, created = (datetime.fromisoformat(task[k]) for k in ("due_at", "created_at"))
    api.clock.now = due - (due - created) / 8
    assert not unchanged(tag)
    assert boss.get("/api/tasks").json()["items"][0]["due_soon"]
    tag = tag_after()
    assert unchanged(tag)
    api.clock.now = due + timedelta(minutes=1)
    assert not unchanged(tag)
    assert boss.get("/api/tasks").json()["items"][0]["overdue"]
    tag = tag_after()
    # a task arriving after the first page changes only the total of a one-row page
    one = tag_after(limit=1)
    start_store(api, store_name="Second")
    assert not unchanged(one, limit=1) and not unchanged(tag)
    tag = tag_after()
    # a task leaving
    decide(api, "zhao.lei", iid)
    assert not unchanged(tag)
    assert unchanged(tag_after())
