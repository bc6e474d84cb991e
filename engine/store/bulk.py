"""Writing many rows of one table in one go: the batches of the timer worker.

``insert_rows(conn, table, rows)`` inserts dicts that all have the same keys. On
PostgreSQL a batch goes through ``COPY ... FROM STDIN`` in the transaction of ``conn``:
psycopg's pipelined executemany costs a parse, bind and Python dump per row, and
SQLAlchemy's multi-row ``INSERT ... VALUES`` (insertmanyvalues) sends one long statement
that psycopg parses again on every call (it caches only short queries). Each value goes
through the column type's bind processor first, so a row holds what SQLAlchemy would have
sent. Few rows, and SQLite, use an ordinary (executemany) INSERT.

``update_rows(conn, table, key, rows)`` sets columns of many rows by key in one
``UPDATE ... FROM unnest(...)`` on PostgreSQL.

``delete_pairs(conn, table, a, b, pairs)`` deletes the rows whose ``(a, b)`` is one of
``pairs`` in one statement on PostgreSQL (``unnest`` of two arrays).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from engine.store import prepared

COPY_FROM = 8  # fewer rows: a plain INSERT is as cheap


def insert_rows(conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < COPY_FROM:
        prepared.insert(conn, table, rows)
        return
    names = list(rows[0])
    dialect = conn.dialect
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                  for name in names]
    preparer = dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in names)
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(
            f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] if p is None else p(row[name])
                            for name, p in zip(names, processors, strict=True)])


def _processed(conn: sa.Connection, table: sa.Table, name: str, values: list[Any]) -> list[Any]:
    """``values`` of column ``name`` as SQLAlchemy would bind them."""
    p = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return values if p is None else [p(v) for v in values]


def update_rows(conn: sa.Connection, table: sa.Table, key: str,
                rows: Sequence[dict[str, Any]]) -> None:
    """Set the other columns of each row (dicts with the same keys) where ``key`` matches:
    one ``UPDATE ... FROM unnest(...)`` on PostgreSQL, an executemany elsewhere."""
    if not rows:
        return
    names = [n for n in rows[0] if n != key]
    if conn.dialect.name != "postgresql" or len(rows) < COPY_FROM:
        conn.execute(table.update().where(table.c[key] == sa.bindparam(f"k_{key}")).values(
            {n: sa.bindparam(n) for n in names}),
            [{f"k_{key}": r[key], **{n: r[n] for n in names}} for r in rows])
        return
    preparer = conn.dialect.identifier_preparer
    given = [key, *names]
    arrays = ", ".join(f"CAST(:a{i} AS {table.c[n].type.compile(conn.dialect)}[])"
                       for i, n in enumerate(given))
    sets = ", ".join(f"{preparer.quote(n)} = v.{preparer.quote(n)}" for n in names)
    quoted = ", ".join(preparer.quote(n) for n in given)
    conn.execute(sa.text(
        f"UPDATE {preparer.format_table(table)} AS t SET {sets} FROM unnest({arrays}) "
        f"AS v({quoted}) WHERE t.{preparer.quote(key)} = v.{preparer.quote(key)}"),
        {f"a{i}": _processed(conn, table, n, [r[n] for r in rows])
         for i, n in enumerate(given)})


def delete_pairs(conn: sa.Connection, table: sa.Table, a: str, b: str,
                 pairs: Sequence[tuple[Any, Any]]) -> None:
    if not pairs:
        return
    if conn.dialect.name != "postgresql" or len(pairs) == 1:
        prepared.prepared(("delete_pairs", table.name, a, b), lambda: table.delete().where(
            table.c[a] == sa.bindparam("a"), table.c[b] == sa.bindparam("b")), ("a", "b")
        ).run(conn, [{"a": x, "b": y} for x, y in pairs])
        return
    types = [table.c[name].type.compile(conn.dialect) for name in (a, b)]
    given = sa.text(f"SELECT * FROM unnest(CAST(:a AS {types[0]}[]), CAST(:b AS {types[1]}[]))"
                    ).bindparams(a=[x for x, _ in pairs], b=[y for _, y in pairs])
    conn.execute(table.delete().where(sa.tuple_(table.c[a], table.c[b]).in_(
        given.columns(sa.column("a"), sa.column("b")))))


__all__ = ["COPY_FROM", "delete_pairs", "insert_rows", "update_rows"]
