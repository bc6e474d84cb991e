"""Datetimes come back timezone-aware (UTC) on both databases, whatever offset went in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
import sqlalchemy as sa
from sqlmodel import select

from engine.store import Database, EventRecord, Instance


def test_aware_datetimes_round_trip(db: Database) -> None:
    shanghai = timezone(timedelta(hours=8))
    started = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=shanghai)
    iid = uuid4()
    with db.session() as s:
        s.add(Instance(id=iid, definition_key="k", definition_version=1, initiator="li",
                       status="running", data={"a": 1}, started_at=started,
                       updated_at=started, seq=1, node_since=None))
        s.commit()
    with db.session(write=False) as s:
        row = s.exec(select(Instance).where(Instance.id == iid)).one()
    assert row.started_at == started
    assert row.started_at.tzinfo is not None
    assert row.started_at.utcoffset() == timedelta(0)
    assert row.started_at.hour == 1  # 09:30 +08:00 is 01:30 UTC
    assert row.node_since is None
    assert row.data == {"a": 1}


def test_ordering_follows_time_not_offset(db: Database) -> None:
    iid = uuid4()
    early = datetime(2026, 1, 1, 23, 0, tzinfo=timezone(timedelta(hours=-5)))  # 04:00Z next day
    late = datetime(2026, 1, 2, 8, 0, tzinfo=timezone(timedelta(hours=2)))  # 06:00Z
    with db.session() as s:
        s.add(EventRecord(instance_id=iid, seq=1, kind="b", payload={}, at=late))
        s.add(EventRecord(instance_id=iid, seq=2, kind="a", payload={}, at=early))
        s.commit()
    with db.session(write=False) as s:
        kinds = s.exec(select(EventRecord.kind).order_by(EventRecord.at)).all()
        since = s.exec(select(EventRecord.kind).where(
            EventRecord.at > datetime(2026, 1, 2, 5, 0, tzinfo=UTC))).all()
    assert kinds == ["a", "b"]
    assert since == ["b"]


def test_naive_datetimes_are_refused(db: Database) -> None:
    with db.session() as s:
        s.add(EventRecord(instance_id=uuid4(), seq=1, kind="x", payload={},
                          at=datetime(2026, 1, 1, 12, 0)))
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            s.commit()
