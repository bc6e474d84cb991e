"""The database's limit: a decision's own statements, issued straight through the driver.

Rather than writing down by hand what a decision writes (and drifting from the store as it
changes), the statements are *captured*: SQLAlchemy's ``before_cursor_execute`` hook
records every statement and its driver-level parameters while the real service runs the
workload on a scratch database. ``replay_raw`` then issues exactly those statements, in
one transaction per decision, through ``sqlite3`` or ``psycopg`` on a fresh database in
the same state: no ORM, no engine logic, no JSON building. That is the limit Signoff's
full command path is compared with.

By default only the writes (INSERT / UPDATE / DELETE) are replayed, the limit the issue
names; ``with_reads=True`` adds the decision's SELECTs, to show what loading costs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

Statement = tuple[str, Any, bool]  # (sql, driver parameters, executemany)
_WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class Transaction:
    label: str
    statements: list[Statement] = field(default_factory=list)

    def writes(self) -> list[Statement]:
        return [s for s in self.statements if s[0].lstrip().upper().startswith(_WRITES)]

    def queries(self) -> list[Statement]:
        """Writes and reads, without the transaction control the store emits itself."""
        return [s for s in self.statements
                if not s[0].lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK",
                                                          "SAVEPOINT", "RELEASE"))]

    def shape(self) -> list[str]:
        """``VERB table`` per write, e.g. ``INSERT event_log``: what the limit must match."""
        return [_verb_table(s[0]) for s in self.writes()]


class Capture:
    """Records the statements an ``Engine`` sends, grouped by ``with capture.txn(label)``."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.transactions: list[Transaction] = []
        self._current: Transaction | None = None
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, parameters: Any,
                    _context: Any, executemany: bool) -> None:
        if self._current is not None:
            self._current.statements.append((statement, _freeze(parameters), executemany))

    @contextmanager
    def txn(self, label: str) -> Iterator[Transaction]:
        self._current = Transaction(label)
        try:
            yield self._current
        finally:
            self.transactions.append(self._current)
            self._current = None

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


def _freeze(parameters: Any) -> Any:
    """A copy: the driver may reuse the parameter containers after the call."""
    if isinstance(parameters, dict):
        return dict(parameters)
    if isinstance(parameters, list):
        return [_freeze(p) for p in parameters]
    if isinstance(parameters, tuple):
        return tuple(parameters)
    return parameters


def _verb_table(sql: str) -> str:
    words = sql.replace("(", " ").replace('"', "").split()
    verb = words[0].upper()
    if verb == "INSERT":
        return f"INSERT {words[2]}"
    if verb == "UPDATE":
        return f"UPDATE {words[1]}"
    if verb == "DELETE":
        return f"DELETE {words[2]}"
    return verb


def driver_connect(url: str) -> Any:
    """A plain DBAPI connection for a SQLAlchemy URL, set up as the store sets up its own."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(parsed.database or ":memory:", isolation_level=None,
                               check_same_thread=False)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000",
                       "synchronous=NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
        return conn
    import psycopg

    libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(libpq)


def run_transaction(conn: Any, statements: Sequence[Statement]) -> None:
    """One transaction on a raw connection (sqlite3: ``BEGIN IMMEDIATE`` like the store)."""
    is_sqlite = isinstance(conn, sqlite3.Connection)
    cur = conn.cursor()
    try:
        if is_sqlite:
            cur.execute("BEGIN IMMEDIATE")
        for sql, params, many in statements:
            if many:
                cur.executemany(sql, params)
            else:
                cur.execute(sql, params)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        cur.close()


def replay_raw(url: str, transactions: Sequence[Transaction], *,
               with_reads: bool = False) -> int:
    """Replay ``transactions`` on ``url``; returns how many were committed."""
    conn = driver_connect(url)
    pick: Callable[[Transaction], list[Statement]] = (
        Transaction.queries if with_reads else Transaction.writes)
    try:
        for txn in transactions:
            run_transaction(conn, pick(txn))
    finally:
        conn.close()
    return len(transactions)
