"""Backup of a live database while approvals are being written, restore into an empty
database, then ``db check`` is clean and every decision acknowledged before the backup
began is there: SQLite (online backup API, logical export), PostgreSQL (pg_dump, logical
export in one snapshot), and across (a SQLite backup restored into PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from engine import service
from engine.core import commands as cmds
from engine.store import audit, open_database, upgrade
from engine.store.backup import NotEmpty, backup, detect, restore
from engine.store.pgdump import available as pg_dump_available
from tests.conftest import fresh_schema, pg_base_url
from tests.store.conftest import T0, World, pending, setup_world


class Writer(threading.Thread):
    """Starts purchases and approves their buyer check, as fast as it can, keeping the
    ids of the decisions whose command returned (acknowledged to the user)."""

    def __init__(self, world: World) -> None:
        super().__init__(daemon=True)
        self.world, self.acked, self.errors = world, list[UUID](), list[BaseException]()
        self.stop = threading.Event()
        self.enough = threading.Event()

    def run(self) -> None:
        at = T0
        try:
            while not self.stop.is_set():
                at += timedelta(seconds=1)
                state = self.world.start(at=at)
                task = pending(state)[0]
                self.world.on_task(cmds.DecideTask(task_id=task.task_id, actor=task.assignee,
                                                   action="approve"), at)
                self.acked.append(task.task_id)
                if len(self.acked) >= 5:
                    self.enough.set()
        except BaseException as exc:
            self.errors.append(exc)
            self.enough.set()


def _backup_while_writing(world: World, out: Path, method: Any) -> tuple[list[UUID], str]:
    writer = Writer(world)
    writer.start()
    try:
        assert writer.enough.wait(60)
        acked_before = list(writer.acked)
        done = backup(world.url, out, method)
    finally:
        writer.stop.set()
        writer.join(60)
    assert not writer.errors, writer.errors
    return acked_before, done.method


def _assert_restored(url: str, acked: list[UUID]) -> None:
    db = open_database(url)
    try:
        with db.session(write=False) as s:
            assert service.check(s) == []
            for task_id in acked:
                row = service.get_task(s, task_id)
                assert row.status == "done" and row.action == "approve"
    finally:
        db.dispose()


@pytest.fixture
def fresh_pg() -> Iterator[Any]:
    """Make fresh PostgreSQL databases (public schema), dropped afterwards."""
    base = pg_base_url()
    if not base:
        pytest.skip("TEST_PG_URL unset")
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = "ops_" + uuid.uuid4().hex[:12]
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return sa.make_url(base).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in made:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def other_schema() -> Iterator[str]:
    """A second fresh PostgreSQL schema (``pg_url`` is the test's first one)."""
    with fresh_schema() as url:
        yield url


@contextmanager
def _world(url: str) -> Iterator[World]:
    upgrade(url)
    db = open_database(url)
    try:
        yield setup_world(db, url)
    finally:
        db.dispose()


@pytest.mark.parametrize("method", ["auto", "logical"])
def test_sqlite_backup_while_writing_then_restore(tmp_path: Path, method: str) -> None:
    out = tmp_path / "backup.bin"
    with _world(f"sqlite:///{tmp_path}/live.db") as world:
        acked, used = _backup_while_writing(world, out, method)
    assert used == ("sqlite" if method == "auto" else "logical") == detect(out)
    target = f"sqlite:///{tmp_path}/restored.db"
    restore(target, out)
    _assert_restored(target, acked)
    with pytest.raises(NotEmpty):
        restore(target, out)


@pytest.mark.pg
@pytest.mark.skipif(not pg_dump_available(), reason="pg_dump is not installed")
def test_postgresql_pg_dump_while_writing_then_restore(fresh_pg: Any, tmp_path: Path) -> None:
    out = tmp_path / "backup.dump"
    with _world(fresh_pg()) as world:
        acked, used = _backup_while_writing(world, out, "auto")
    assert used == "pg_dump" == detect(out)
    target = fresh_pg()
    restore(target, out)
    _assert_restored(target, acked)


@pytest.mark.pg
def test_postgresql_logical_while_writing_then_restore(pg_url: str, tmp_path: Path,
                                                       other_schema: str) -> None:
    out = tmp_path / "backup.jsonl.gz"
    with _world(pg_url) as world:
        acked, used = _backup_while_writing(world, out, "logical")
    assert used == "logical"
    restore(other_schema, out)
    _assert_restored(other_schema, acked)
    # New rows after a restore get fresh ids: sequences moved past the copied rows.
    db = open_database(other_schema)
    try:
        with db.session() as s:
            audit.record(s, T0, "token.issued", "probe", actor="boss")
            s.commit()
    finally:
        db.dispose()


@pytest.mark.pg
def test_a_sqlite_backup_restores_into_postgresql(tmp_path: Path, other_schema: str) -> None:
    url = f"sqlite:///{tmp_path}/source.db"
    with _world(url) as world:
        states = [world.start(item=f"item {i}", at=T0 + timedelta(minutes=i)) for i in range(3)]
        task = pending(states[0])[0]
        world.on_task(cmds.DecideTask(task_id=task.task_id, actor=task.assignee,
                                      action="approve"), T0 + timedelta(hours=1))
    backup(url, tmp_path / "b.db")
    restore(other_schema, tmp_path / "b.db")
    _assert_restored(other_schema, [task.task_id])
