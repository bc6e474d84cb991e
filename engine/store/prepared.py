"""Statements of the command path compiled once, run as driver SQL.

``Connection.execute(construct, rows)`` costs, on every call, the construct's cache key,
the compiled-cache lookup and the per-row parameter processing of SQLAlchemy's execution
context; a decision runs a dozen small statements, so on SQLite that overhead was most
of a decision's time. ``Prepared(statement, names)`` compiles ``statement`` once per
dialect for the columns ``names`` into the driver's own SQL, with the bind processor of
each parameter (``AwareDateTime``, JSON, UUID as the dialect stores them), and ``run``
hands the processed rows to ``Connection.exec_driver_sql``: still SQLAlchemy's connection,
transaction and events (so what a statement sends is what was captured), but none of the
per-call compilation. On PostgreSQL only single rows go this way. The values sent are
the ones ``Connection.execute`` would send: ``tests/store/test_prepared.py`` compares both
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from engine.store.types import AwareDateTime

_MEMO = 256  # distinct times kept per parameter; a command binds a handful, many times


def _remembered(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process`` (an ``AwareDateTime`` bind processor) answering a time it has seen from
    a dict. A command binds the same few times (its ``now``, due dates) 30-40 times, and
    the processor (to UTC, drop the offset, SQLite's text format) is a function of the
    instant alone: equal aware datetimes are the same instant, so the same answer. Only
    exact ``datetime`` values are kept, and only once processed: a naive one still
    raises every time."""
    seen: dict[datetime, Any] = {}

    def remembered(value: Any) -> Any:
        if type(value) is not datetime:
            return process(value)
        found = seen.get(value, seen)
        if found is seen:
            found = process(value)
            if len(seen) >= _MEMO:
                seen.clear()
            seen[value] = found
        return found
    return remembered


class _Compiled:
    __slots__ = ("get", "names", "positional", "processors", "sql")

    def __init__(self, statement: sa.Executable, names: Sequence[str],
                 dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect,  # type: ignore[attr-defined]
                                     column_keys=list(names))
        assert not compiled.escaped_bind_names, "plain parameter names only"
        self.sql = compiled.string
        self.positional = compiled.positiontup is not None
        binds = list(compiled.positiontup) if compiled.positiontup is not None \
            else list(compiled.binds)
        processors = compiled._bind_processors  # the processors execute() would use
        self.names = tuple(binds)
        self.get = operator.itemgetter(*binds) if len(binds) > 1 else (
            lambda row, name=binds[0]: (row[name],))
        self.processors: tuple[tuple[int, Callable[[Any], Any]], ...] = tuple(
            (i, _remembered(processors[n]) if isinstance(compiled.binds[n].type, AwareDateTime)
             else processors[n])
            for i, n in enumerate(binds) if processors.get(n) is not None)

    def row(self, values: dict[str, Any]) -> Any:
        """The driver's parameters for one row (a tuple, or a dict for named styles)."""
        out = list(self.get(values))
        for i, process in self.processors:  # None too: JSON stores it as 'null'
            out[i] = process(out[i])
        return tuple(out) if self.positional else dict(zip(self.names, out, strict=True))


class Prepared:
    """``statement`` for rows keyed by ``names`` (the columns of an INSERT, the bind
    parameters of an UPDATE), compiled for each dialect on first use there."""

    def __init__(self, statement: sa.Executable, names: Sequence[str]) -> None:
        self.statement, self.names = statement, tuple(names)
        self._compiled: dict[str, _Compiled] = {}  # by dialect name

    def run(self, conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Execute for ``rows`` as driver SQL: on SQLite one row (``execute``) or more (the
        driver's ``executemany``), on PostgreSQL one row. Several rows on PostgreSQL go
        through ``Connection.execute`` as before: an INSERT as one multi-row statement
        (insertmanyvalues), which the driver's ``executemany`` would not send."""
        if not rows:
            return
        name = conn.dialect.name
        if name != "sqlite" and len(rows) > 1:
            conn.execute(self.statement, list(rows))
            return
        compiled = self._compiled.get(name)
        if compiled is None:
            compiled = self._compiled[name] = _Compiled(self.statement, self.names,
                                                        conn.dialect)
        params = [compiled.row(r) for r in rows]
        conn.exec_driver_sql(compiled.sql, params[0] if len(params) == 1 else params)


_cache: dict[tuple[Any, ...], Prepared] = {}


def prepared(key: tuple[Any, ...], build: Callable[[], sa.Executable],
             names: Sequence[str]) -> Prepared:
    """The ``Prepared`` kept under ``key`` (built by ``build()`` for ``names`` the first
    time): statements built once per shape, not per call."""
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = Prepared(build(), names)
    return found


def insert(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys) into ``table``."""
    if rows:
        names = tuple(rows[0])
        prepared(("insert", table.name, names), table.insert, names).run(conn, rows)


def update(conn: sa.Connection, table: sa.Table, keys: tuple[str, ...], cols: tuple[str, ...],
           rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE ``table`` setting ``cols`` where ``keys`` match, for ``rows`` that give each
    key as ``k_<key>`` and each column by its name."""
    prepared(("update", table.name, keys, cols),
             lambda: table.update().where(*(table.c[k] == sa.bindparam(f"k_{k}") for k in keys))
             .values({c: sa.bindparam(c) for c in cols}),
             (*(f"k_{k}" for k in keys), *cols)).run(conn, rows)


__all__ = ["Prepared", "insert", "prepared", "update"]
