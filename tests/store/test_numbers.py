"""Request numbers: one per request, unique and without gaps under concurrent starts, a
failed start gives its number back, ``rebuild`` keeps them, and migration 0010 numbers
the requests that existed before it (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from engine import service
from engine.core.errors import EngineError
from engine.store import Instance, open_database, upgrade
from engine.store import numbers as nums
from tests.store.conftest import T0, World

_i = Instance.__table__  # type: ignore[attr-defined]
# the instance table as it was at 0006 (no number, no search)
OLD_INSTANCE = sa.Table("instance", sa.MetaData(), *(
    sa.Column(c.name, c.type) for c in _i.columns if c.name not in ("number", "search")))


def _numbers(world: World) -> dict[uuid.UUID, str]:
    with world.db.engine.connect() as conn:
        return {r.id: r.number for r in conn.execute(sa.select(_i.c.id, _i.c.number))}


def test_concurrent_starts_get_distinct_numbers_without_gaps(world: World) -> None:
    starters = 8
    gate = threading.Barrier(starters)
    errors: list[BaseException] = []

    def start(n: int) -> None:
        try:
            gate.wait()
            world.start(item=f"item {n}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(n,)) for n in range(starters)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    given = sorted(_numbers(world).values())
    # "purchase" declares no prefix: the initials of its key's one word
    assert given == [f"PUR-2026-{n:05d}" for n in range(1, starters + 1)]


def test_a_failed_start_gives_its_number_back_and_the_year_restarts(world: World) -> None:
    world.start(item="first")
    with pytest.raises(EngineError):
        world.start(item="")  # the form refuses it: nothing is written
    world.start(item="second")
    # New Year's Eve 17:00 UTC is already 2027 in Shanghai (the organisation's zone)
    world.start(item="new year", at=datetime(2026, 12, 31, 17, 0, tzinfo=UTC))
    assert sorted(_numbers(world).values()) == ["PUR-2026-00001", "PUR-2026-00002",
                                                "PUR-2027-00001"]
    before = _numbers(world)
    with world.db.session() as s:
        service.rebuild_projections(s)
        s.commit()
    assert _numbers(world) == before
    assert world.check() == []  # a number is not a projection of the log


def test_a_waiting_allocation_gets_the_next_number(world: World) -> None:
    """On PostgreSQL the second transaction waits on the counter row until the first
    commits; on SQLite for the write lock. Either way it gets the next number."""
    got: list[int] = []
    with world.db.engine.connect() as first:
        first.begin()
        got.append(nums.allocate(first, "TST", 2026))

        def second() -> None:
            with world.db.engine.begin() as conn:
                got.append(nums.allocate(conn, "TST", 2026))

        waiter = threading.Thread(target=second)
        began = time.monotonic()
        waiter.start()
        time.sleep(0.3)
        assert waiter.is_alive()  # blocked behind the first transaction
        first.commit()
    waiter.join(timeout=10)
    assert got == [1, 2] and time.monotonic() - began >= 0.3


def test_migration_numbers_existing_requests_in_start_order(db_url: str) -> None:
    upgrade(db_url, "0006")
    db = open_database(db_url)
    source = "key: purchase\nnumber_prefix: BUY\ntitle: x\n"
    rows = [(uuid.uuid4(), "purchase", T0 + timedelta(hours=h), "Pens")
            for h in (5, 1, 3)]
    rows.append((uuid.uuid4(), "expense_claim", T0, "Taxi"))
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO definition_version (key, version, digest, source, title, created_at)"
            " VALUES ('purchase', 1, 'd', :s, 'x', :t)"), {"s": source, "t": T0})
        for iid, key, at, title in rows:
            conn.execute(OLD_INSTANCE.insert().values(
                id=iid, definition_key=key, definition_version=1, title=title,
                initiator="ann", status="running", data={"item": "Blue pens", "n": 3},
                started_at=at, updated_at=at, seq=1))
    db.dispose()
    upgrade(db_url)
    db = open_database(db_url)
    try:
        with db.engine.connect() as conn:
            got = {r.id: (r.number, r.search) for r in conn.execute(
                sa.select(_i.c.id, _i.c.number, _i.c.search))}
            nxt = nums.allocate(conn, "BUY", 2026)
    finally:
        db.dispose()
    by_hour = sorted(rows[:3], key=lambda r: r[2])
    assert [got[r[0]][0] for r in by_hour] == ["BUY-2026-00001", "BUY-2026-00002",
                                               "BUY-2026-00003"]
    assert got[rows[3][0]] == ("EC-2026-00001", "taxi blue pens 3")  # derived prefix
    assert nxt == 4  # the counter continues after the numbered ones
