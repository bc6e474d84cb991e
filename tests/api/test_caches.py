"""What the API caches per process is never stale: the org directory is checked against
the database on every request, and API tokens are looked up on every request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlmodel import delete, select

from engine.store import AppUser
from engine.store.org import current_directory
from tests.api.conftest import Api
from tests.api.test_flows import start_store, task_of


def _update(api: Api, username: str, **fields: object) -> None:
    """Change a user row behind the app's back (as another process would)."""
    with api.db.session() as s:
        row = s.exec(select(AppUser).where(AppUser.username == username)).one()
        for name, value in fields.items():
            setattr(row, name, value)
        s.add(row)
        s.commit()


@contextmanager
def statements(containing: str) -> Iterator[list[str]]:
    """The SQL statements sent, by any engine, while the block runs that contain
    ``containing``."""
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if containing in statement:
            seen.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", count)


def test_a_changed_directory_is_seen_by_the_next_request(api: Api) -> None:
    me = api.as_("li.na")
    first = me.get("/api/me").json()
    assert me.get("/api/me").json() == first  # served from the cache the second time
    _update(api, "li.na", manager="liu.yang", roles=["regional_director"], name="Li Na (new)")
    changed = me.get("/api/me").json()
    assert (changed["manager"], changed["roles"], changed["name"]) == (
        "liu.yang", ["regional_director"], "Li Na (new)")
    _update(api, "li.na", manager=first["manager"], roles=first["roles"], name=first["name"])
    assert me.get("/api/me").json() == first  # and changed back again


def test_a_removed_user_is_refused_at_once(api: Api) -> None:
    me = api.as_("li.na")
    assert me.get("/api/tasks").status_code == 200
    with api.db.session() as s:
        s.exec(delete(AppUser).where(AppUser.username == "li.na"))  # type: ignore[call-overload]
        s.commit()
    refused = me.get("/api/tasks")
    assert refused.status_code == 401 and "no longer exists" in refused.json()["detail"]


def test_a_revoked_api_token_is_refused_at_once(api: Api) -> None:
    made = api.as_("li.na").post("/api/tokens", json={"name": "erp"}).json()
    bearer = {"Authorization": f"Bearer {made['token']}"}
    for _ in range(2):
        assert api.client.get("/api/tasks", headers=bearer).status_code == 200
    assert api.as_("li.na").delete(f"/api/tokens/{made['id']}").status_code == 204
    assert api.client.get("/api/tasks", headers=bearer).status_code == 401


def test_the_cached_directory_is_reused_only_while_unchanged(api: Api) -> None:
    with api.db.session(write=False) as s:
        first = current_directory(s)
    with api.db.session(write=False) as s:
        assert current_directory(s) is first
    _update(api, "zhao.lei", email="zhao.lei@example.org")
    with api.db.session(write=False) as s:
        again = current_directory(s)
    assert again is not first and again.users["zhao.lei"].email == "zhao.lei@example.org"


def test_a_decision_answers_what_a_fresh_read_of_the_request_shows(api: Api) -> None:
    """The approve response is shaped from what the command committed (no reload); it is
    the same as reading the request afterwards, in either language."""
    iid = start_store(api)["id"]
    assert start_store(api)["id"] != iid  # a second request in the process's cache
    for user, lang in (("zhao.lei", "en"), ("tang.lan", "zh-CN")):
        me = api.as_(user)
        task = task_of(me, iid)
        lang_header = {"Accept-Language": lang}
        answered = me.post(f"/api/tasks/{task['id']}/approve", headers=lang_header,
                           params={"view": "full"})
        assert answered.status_code == 200, answered.text
        assert answered.json() == me.get(f"/api/instances/{iid}", headers=lang_header).json()
        assert answered.json()["timeline"] and answered.json()["visits"]


def test_reading_a_task_or_a_request_reads_its_event_log_once(api: Api) -> None:
    iid = start_store(api)["id"]
    me = api.as_("zhao.lei")
    task = task_of(me, iid)
    with statements("FROM event_log") as seen:
        for url in (f"/api/tasks/{task['id']}", f"/api/instances/{iid}"):
            seen.clear()
            assert me.get(url).status_code == 200
            assert len(seen) == 1, url


def test_an_inbox_page_reads_no_definition_its_rows_name_by_digest(api: Api) -> None:
    """The page's rows carry their definition's digest: a definition parsed already is
    not looked up again, in either language (the Chinese titles need the definition)."""
    start_store(api)
    me = api.as_("zhao.lei")
    assert me.get("/api/tasks").status_code == 200  # the definition parsed by now
    with statements("FROM definition_version") as seen:
        for lang in ("en", "zh-CN"):
            page = me.get("/api/tasks", headers={"Accept-Language": lang})
            assert page.status_code == 200 and page.json()["items"], lang
        assert seen == []


def test_every_directory_change_and_only_those_raise_the_org_version(api: Api) -> None:
    """The triggers of migration 0022, through plain SQL as any other process might write:
    each column the directory is made of raises ``org_version``, in users, roles and
    units, on insert, update and delete; a password hash (not in the directory) does
    not."""
    def version() -> int:
        with api.db.engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT version FROM org_version")).scalar_one())

    def run(sql: str) -> int:
        before = version()
        with api.db.engine.begin() as conn:
            conn.execute(sa.text(sql))
        return version() - before

    assert run("UPDATE app_user SET password_hash = 'x' WHERE username = 'li.na'") == 0
    for sql in ("UPDATE app_user SET locale = 'zh-CN' WHERE username = 'li.na'",
                "UPDATE app_user SET left_at = NULL WHERE username = 'li.na'",
                "INSERT INTO org_role (name, description) VALUES ('auditor', 'Auditors')",
                "UPDATE org_role SET name_zh = '审计' WHERE name = 'auditor'",
                "DELETE FROM org_role WHERE name = 'auditor'",
                "INSERT INTO org_unit (id, name, kind) VALUES ('west', 'West', 'region')",
                "UPDATE org_unit SET head = 'zhao.lei' WHERE id = 'west'",
                "DELETE FROM org_unit WHERE id = 'west'"):
        assert run(sql) >= 1, sql
