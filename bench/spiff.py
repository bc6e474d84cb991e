"""SpiffWorkflow (the Python BPMN engine) running store_opening as BPMN: the peer.

Two ways its users run a process: all in memory (``run_in_memory``), and persisted, where
the workflow is deserialised before each step and serialised after it into a database
row, one transaction per decision (``SpiffStore`` + ``decide_persisted``), since
SpiffWorkflow keeps no state of its own between requests.
Needs the ``bench`` extra (``spiffworkflow``).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.util.task import TaskState

BPMN_FILE = Path(__file__).resolve().parent / "bpmn" / "store_opening.bpmn"
PROCESS_ID = "store_opening"


@cache
def load_spec(path: Path = BPMN_FILE) -> BpmnProcessSpec:
    parser = BpmnParser()
    parser.add_bpmn_file(str(path))
    spec: BpmnProcessSpec = parser.get_spec(PROCESS_ID)
    return spec


def start(spec: BpmnProcessSpec, data: dict[str, Any]) -> BpmnWorkflow:
    wf = BpmnWorkflow(spec)
    first = wf.get_next_task(state=TaskState.READY)
    first.data.update(data)
    wf.do_engine_steps()
    return wf


def approve_next(wf: BpmnWorkflow, decision: str = "approve") -> str:
    """Complete the one ready user task with ``decision``; returns its step id."""
    task = wf.get_next_task(state=TaskState.READY, manual=True)
    if task is None:
        raise RuntimeError("no user task is ready")
    task.data[f"{task.task_spec.name}_decision"] = decision
    task.run()
    wf.do_engine_steps()
    return str(task.task_spec.name)


def end_event(wf: BpmnWorkflow) -> str:
    """Which end event the finished workflow reached (``approved`` / ``rejected``)."""
    done = [t.task_spec.name for t in wf.get_tasks(state=TaskState.COMPLETED)
            if t.task_spec.name in ("approved", "rejected")]
    return str(done[-1]) if done else ""


def run_instance(spec: BpmnProcessSpec, data: dict[str, Any]) -> list[str]:
    """Start plus every decision (all approve) to the end; returns the steps taken."""
    wf = start(spec, data)
    steps = []
    while not wf.is_completed():
        steps.append(approve_next(wf))
    return steps


def run_in_memory(count: int, data: dict[str, Any]) -> int:
    spec = load_spec()
    for _ in range(count):
        run_instance(spec, data)
    return count


class SpiffStore:
    """One row per workflow holding its serialised JSON; SQLite (sqlite3) or PostgreSQL
    (psycopg), one transaction per step."""

    def __init__(self, url: str) -> None:
        self.serializer = BpmnWorkflowSerializer()
        self.spec = load_spec()
        self.url = url
        self.pg = url.startswith("postgresql")
        self.conn: Any = _connect(url)
        self.p = "%s" if self.pg else "?"
        with self._tx() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_spiff_workflow")
            cur.execute("CREATE TABLE bench_spiff_workflow (id TEXT PRIMARY KEY, state TEXT)")

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        cur = self.conn.cursor()
        try:
            if not self.pg:
                cur.execute("BEGIN IMMEDIATE")
            yield cur
            self.conn.commit()
        except BaseException:
            self.conn.rollback()
            raise
        finally:
            cur.close()

    def create(self, data: dict[str, Any]) -> str:
        wf = start(self.spec, data)
        wid = str(uuid.uuid4())
        with self._tx() as cur:
            cur.execute(f"INSERT INTO bench_spiff_workflow VALUES ({self.p}, {self.p})",
                        (wid, self.serializer.serialize_json(wf)))
        return wid

    def decide(self, wid: str, decision: str = "approve") -> bool:
        """Load, deserialise, run one user task, serialise, write; True once finished."""
        with self._tx() as cur:
            cur.execute(f"SELECT state FROM bench_spiff_workflow WHERE id = {self.p}", (wid,))
            wf = self.serializer.deserialize_json(cur.fetchone()[0])
            approve_next(wf, decision)
            cur.execute(f"UPDATE bench_spiff_workflow SET state = {self.p} WHERE id = {self.p}",
                        (self.serializer.serialize_json(wf), wid))
            return bool(wf.is_completed())

    def state_size(self, wid: str) -> int:
        cur = self.conn.cursor()
        cur.execute(f"SELECT state FROM bench_spiff_workflow WHERE id = {self.p}", (wid,))
        return len(cur.fetchone()[0])

    def close(self) -> None:
        with self._tx() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_spiff_workflow")
        self.conn.close()


def _connect(url: str) -> Any:
    if url.startswith("postgresql"):
        import psycopg

        return psycopg.connect(_libpq_url(url))
    path = url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    # isolation_level=None leaves transactions to us; make commit/rollback work on cursors
    return _SqliteConn(conn)


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class _SqliteConn:
    """sqlite3 in autocommit mode with explicit BEGIN IMMEDIATE / COMMIT, like the store."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.raw = conn

    def cursor(self) -> sqlite3.Cursor:
        return self.raw.cursor()

    def commit(self) -> None:
        if self.raw.in_transaction:
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.raw.in_transaction:
            self.raw.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()
