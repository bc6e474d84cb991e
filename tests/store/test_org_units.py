"""Org units in the database: saved and loaded with the users, part of the cached
directory's fingerprint (a unit change is seen at once), and users who left are out of
the directory but keep their row until an org sync lists them again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from engine.core.directory import load_directory as read_org
from engine.store import Database
from engine.store.org import current_directory, load_directory, save_directory
from engine.store.org_sync import write_synced
from engine.store.tables import AppUser, OrgUnit
from tests.conftest import ROOT


def test_units_and_memberships_round_trip(db: Database) -> None:
    org = read_org(ROOT / "definitions" / "org.yaml")
    with db.session() as s:
        save_directory(s, org)
        s.commit()
    with db.session(write=False) as s:
        loaded = load_directory(s)
    assert loaded.units == org.units
    assert loaded.users["qian.yu"].unit == "east"
    assert loaded.members("east", "sample_manager") == ("qian.yu",)
    assert loaded.head_of(loaded.unit_of("fang.qi", 2)) == "huang.tao"


def test_a_unit_change_and_a_departure_are_seen_by_the_cached_directory(db: Database) -> None:
    org = read_org(ROOT / "definitions" / "org.yaml")
    with db.session() as s:
        save_directory(s, org)
        s.commit()
    with db.session(write=False) as s:
        before = current_directory(s)
    assert before.head_of("east") == "zhao.lei"
    with db.session() as s:
        row = s.exec(select(OrgUnit).where(OrgUnit.id == "east")).one()
        row.head = "xu.ming"
        s.add(row)
        s.commit()
    with db.session(write=False) as s:
        assert current_directory(s).head_of("east") == "xu.ming"
    with db.session() as s:
        user = s.exec(select(AppUser).where(AppUser.username == "shen.jie")).one()
        user.left_at = datetime(2026, 3, 2, tzinfo=UTC)
        s.add(user)
        s.commit()
    with db.session(write=False) as s:
        after = current_directory(s)
        assert "shen.jie" not in after.users and after.members("north", "sample_manager") == ()
        assert s.exec(select(AppUser).where(AppUser.username == "shen.jie")).one().left_at
    with db.session() as s:  # saving the org file again does not bring her back ...
        save_directory(s, org)
        s.commit()
    with db.session(write=False) as s:
        assert "shen.jie" not in current_directory(s).users
    with db.session() as s:  # ... an org sync listing her again does
        write_synced(s, org, (), datetime(2026, 3, 3, tzinfo=UTC))
        s.commit()
    with db.session(write=False) as s:
        assert "shen.jie" in current_directory(s).users
