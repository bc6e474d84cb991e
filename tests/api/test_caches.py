"""What the API caches per process is never stale: the org directory is checked against
the database on every request, and API tokens are looked up on every request."""

from __future__ import annotations

from sqlmodel import delete, select

from engine.store import AppUser
from engine.store.org import current_directory
from tests.api.conftest import Api


def _update(api: Api, username: str, **fields: object) -> None:
    """Change a user row behind the app's back (as another process would)."""
    with api.db.session() as s:
        row = s.exec(select(AppUser).where(AppUser.username == username)).one()
        for name, value in fields.items():
            setattr(row, name, value)
        s.add(row)
        s.commit()


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

