"""Writing many rows of one table in one go: the batches of the timer worker.

``insert_rows(conn, table, rows)`` inserts dicts that all have the same keys. On
PostgreSQL a batch goes through ``COPY ... FROM STDIN`` in the transaction of ``conn``:
psycopg's pipelined executemany costs a parse, bind and Python dump per row, and
SQLAlchemy's multi-row ``INSERT ... VALUES`` (insertmanyvalues) sends one long statement
that psycopg parses again on every call (it caches only short queries). Each value goes
through the column type's bind processor first, so a row holds what SQLAlchemy would have
sent. Few rows, and SQLite, use an ordinary (executemany) INSERT.

Inside ``together(conn)`` these writes are gathered and sent at its end in one statement
(PostgreSQL): the timer worker writes a batch in one round trip.

``update_rows(conn, table, key, rows)`` sets columns of many rows by key in one
``UPDATE ... FROM unnest(...)`` on PostgreSQL.

``delete_pairs(conn, table, a, b, pairs)`` deletes the rows whose ``(a, b)`` is one of
``pairs`` in one statement on PostgreSQL (``unnest`` of two arrays).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from psycopg.types.json import Json

from engine.store import prepared

COPY_FROM = 8  # fewer rows: a plain INSERT is as cheap


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name != "postgresql" or (len(rows) < COPY_FROM
                                              and _TOGETHER not in conn.info):
        prepared.insert(conn, table, rows)
        return
    if _TOGETHER in conn.info:
        _insert(conn, table, rows)
        return
    names = list(rows[0])
    processors = [_processor(conn, table, name) for name in names]
    preparer = conn.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in names)
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(
            f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] if p is None else p(row[name])
                            for name, p in zip(names, processors, strict=True)])


def _processor(conn: sa.Connection, table: sa.Table, name: str) -> Callable[[Any], Any] | None:
    """The bind processor SQLAlchemy applies to values of column ``name``, if any."""
    return table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)


def _processed(conn: sa.Connection, table: sa.Table, name: str, values: list[Any]) -> list[Any]:
    """``values`` of column ``name`` as SQLAlchemy would bind them."""
    p = _processor(conn, table, name)
    return values if p is None else [p(v) for v in values]


def _unnest(conn: sa.Connection, table: sa.Table, names: Sequence[str],
            columns: Sequence[list[Any]], prefix: str) -> tuple[str, dict[str, Any]]:
    """``unnest(CAST(:<prefix>0 AS type[]), ...) AS v(names)`` and its parameters: the
    rows given column by column, each value bound as SQLAlchemy would bind it."""
    quote = conn.dialect.identifier_preparer.quote
    arrays: list[str] = []
    params: dict[str, Any] = {}
    for i, (n, values) in enumerate(zip(names, columns, strict=True)):
        name = f"{prefix}{i}"
        if isinstance(table.c[n].type, sa.JSON):  # one JSON array: psycopg escapes a
            arrays.append(_JSON_ARRAY.format(name))  # text[] of JSON char by char
            params[name] = "[" + ",".join(_json_text(v) for v in
                                          _processed(conn, table, n, values)) + "]"
        else:
            arrays.append(f"CAST(:{name} AS {table.c[n].type.compile(conn.dialect)}[])")
            params[name] = _processed(conn, table, n, values)
    return f"unnest({', '.join(arrays)}) AS v({', '.join(quote(n) for n in names)})", params


_JSON_ARRAY = ("ARRAY(SELECT e FROM json_array_elements(CAST(:{} AS json)) WITH ORDINALITY "
               "AS x(e, i) ORDER BY i)")


def _json_text(value: Any) -> str:
    """The JSON text psycopg would send for a bound (``Json``-wrapped) value."""
    obj, dumps = (value.obj, value.dumps) if isinstance(value, Json) else (value, None)
    text = (dumps or json.dumps)(obj)
    return text.decode() if isinstance(text, bytes) else text


_TOGETHER = "signoff_bulk_together"
Statement = Callable[[str], tuple[str, dict[str, Any]]]  # parameter prefix -> SQL, params


@dataclass
class _Parts:
    tables: set[str] = field(default_factory=set)
    sql: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


@contextmanager
def together(conn: sa.Connection) -> Iterator[None]:
    """On PostgreSQL, the ``insert_rows``, ``update_rows`` and ``delete_pairs`` of the
    block go to the server when it ends as one statement (each a data-modifying ``WITH``
    part): one round trip instead of one or two per table. The parts run on one snapshot
    and do not see each other's rows, so a second write to a table sends what is gathered
    first. Elsewhere (and when the block raises) nothing is deferred or sent."""
    if conn.dialect.name != "postgresql" or _TOGETHER in conn.info:
        yield
        return
    parts = conn.info[_TOGETHER] = _Parts()
    try:
        yield
    finally:
        del conn.info[_TOGETHER]
    _flush(conn, parts)


def _flush(conn: sa.Connection, parts: _Parts) -> None:
    if len(parts.sql) == 1:
        conn.execute(sa.text(parts.sql[0]), parts.params)
    elif parts.sql:
        withs = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(parts.sql))
        conn.execute(sa.text(f"WITH {withs} SELECT 1"), parts.params)
    parts.tables.clear()
    parts.sql.clear()
    parts.params.clear()


def _send(conn: sa.Connection, table: sa.Table, statement: Statement) -> None:
    parts: _Parts | None = conn.info.get(_TOGETHER)
    if parts is None:
        sql, params = statement("p")
        conn.execute(sa.text(sql), params)
        return
    if table.name in parts.tables:
        _flush(conn, parts)
    sql, params = statement(f"w{len(parts.sql)}_")
    parts.tables.add(table.name)
    parts.sql.append(sql)
    parts.params.update(params)


def _insert(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    names = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote

    def statement(prefix: str) -> tuple[str, dict[str, Any]]:
        given, params = _unnest(conn, table, names, [[r[n] for r in rows] for n in names],
                                prefix)
        return (f"INSERT INTO {conn.dialect.identifier_preparer.format_table(table)} "
                f"({', '.join(quote(n) for n in names)}) SELECT * FROM {given}", params)
    _send(conn, table, statement)


def update_rows(conn: sa.Connection, table: sa.Table, key: str,
                rows: Sequence[dict[str, Any]]) -> None:
    """Set the other columns of each row (dicts with the same keys) where ``key`` matches:
    one ``UPDATE ... FROM unnest(...)`` on PostgreSQL, elsewhere the statement the
    projection writer uses (``prepared.update``)."""
    if not rows:
        return
    names = [n for n in rows[0] if n != key]
    if conn.dialect.name != "postgresql" or (len(rows) < COPY_FROM
                                              and _TOGETHER not in conn.info):
        prepared.update(conn, table, (key,), tuple(names),
                        [{f"k_{key}": r[key], **{n: r[n] for n in names}} for r in rows])
        return
    quote = conn.dialect.identifier_preparer.quote
    given_names = [key, *names]

    def statement(prefix: str) -> tuple[str, dict[str, Any]]:
        given, params = _unnest(conn, table, given_names,
                                [[r[n] for r in rows] for n in given_names], prefix)
        sets = ", ".join(f"{quote(n)} = v.{quote(n)}" for n in names)
        return (f"UPDATE {conn.dialect.identifier_preparer.format_table(table)} AS t "
                f"SET {sets} FROM {given} WHERE t.{quote(key)} = v.{quote(key)}", params)
    _send(conn, table, statement)


def delete_pairs(conn: sa.Connection, table: sa.Table, a: str, b: str,
                 pairs: Sequence[tuple[Any, Any]]) -> None:
    if not pairs:
        return
    if conn.dialect.name != "postgresql" or (len(pairs) == 1
                                              and _TOGETHER not in conn.info):
        prepared.prepared(("delete_pairs", table.name, a, b), lambda: table.delete().where(
            table.c[a] == sa.bindparam("a"), table.c[b] == sa.bindparam("b")), ("a", "b")
        ).run(conn, [{"a": x, "b": y} for x, y in pairs])
        return
    quote = conn.dialect.identifier_preparer.quote

    def statement(prefix: str) -> tuple[str, dict[str, Any]]:
        given, params = _unnest(conn, table, [a, b], [[x for x, _ in pairs],
                                                      [y for _, y in pairs]], prefix)
        return (f"DELETE FROM {conn.dialect.identifier_preparer.format_table(table)} "
                f"WHERE ({quote(a)}, {quote(b)}) IN (SELECT * FROM {given})", params)
    _send(conn, table, statement)


__all__ = ["COPY_FROM", "delete_pairs", "insert_rows", "together", "update_rows"]
