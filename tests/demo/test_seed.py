"""Seeding through the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from engine import service
from engine.core import load_directory
from engine.demo import DEMO_PASSWORD, demo_users, instance_count, seed
from engine.store import DefinitionVersion, EventRecord, open_database, upgrade
from tests.demo.conftest import DEFINITIONS, END


def test_seed_writes_the_history_and_the_store_agrees(db_url: str) -> None:
    upgrade(db_url)
    db = open_database(db_url)
    calls: list[tuple[int, int]] = []
    try:
        report = seed(db, definitions_dir=DEFINITIONS, n_instances=80, seed=3, now=END,
                      progress=lambda done, total: calls.append((done, total)), batch=25)
        assert report.instances == 80
        assert report.in_flight > 0 and report.pending_tasks > 0
        assert calls[0] == (0, 80) and calls[-1] == (80, 80)
        assert [d for d, _ in calls] == sorted(d for d, _ in calls)
        with db.session(write=False) as session:
            assert instance_count(session) == 80
            events = session.exec(select(func.count()).select_from(EventRecord)).one()
            assert events == report.events
            keys = set(session.exec(select(DefinitionVersion.key)).all())
            # every definition in the directory is published; contract_review (parallel
            # branches) has no simulated requests
            assert keys == {"store_opening", "sample_order", "expense_claim", "contract_review"}
            assert service.check(session) == []
    finally:
        db.dispose()


def test_a_second_seed_is_refused_and_changes_nothing(db_url: str) -> None:
    upgrade(db_url)
    db = open_database(db_url)
    try:
        seed(db, definitions_dir=DEFINITIONS, n_instances=20, seed=1, now=END)
        try:
            seed(db, n_instances=20, seed=1, now=END)  # org and definitions from the db
        except ValueError as exc:
            assert "already holds 20 requests" in str(exc)
        else:
            raise AssertionError("a second seed was accepted")
        with db.session(write=False) as session:
            assert instance_count(session) == 20
    finally:
        db.dispose()


def test_seed_uses_the_org_and_definitions_already_in_the_database(db_url: str) -> None:
    upgrade(db_url)
    db = open_database(db_url)
    try:
        with db.session() as session:
            org = load_directory(DEFINITIONS / "org.yaml")
            service.save_directory(session, org)
            service.sync_definitions(session, DEFINITIONS, org, now=END)
        report = seed(db, n_instances=30, seed=2, now=END)
        assert report.instances == 30
        with db.session(write=False) as session:
            assert service.check(session) == []
    finally:
        db.dispose()


def test_demo_users_are_real_users_of_the_demo_org() -> None:
    org = load_directory(DEFINITIONS / "org.yaml")
    users = demo_users()
    assert {u.password for u in users} == {DEMO_PASSWORD}
    for u in users:
        known = org.get(u.username)
        assert known is not None, u.username
        assert (u.name, u.name_zh) == (known.name, known.name_zh)
        assert u.description
    roles = " ".join(u.description for u in users)
    for who in ("approver: regional director", "requester: store manager", "product manager",
                "process owner", "admin"):
        assert who in roles
