"""A logical copy of every table: read from one snapshot, written as gzip'd JSON lines,
loaded into any empty database at the same schema revision.

``read(conn)`` gives a ``Header`` (schema revision, tables in foreign-key order with their
columns and row counts) and the rows, table by table. ``write(path, header, rows)`` and
``load_file(path)`` store and read them; ``load(conn, header, rows)`` inserts them
(PostgreSQL sequences are moved past the ids copied). The caller holds the snapshot:
one ``REPEATABLE READ`` transaction on PostgreSQL, one read transaction on SQLite.

Tables known to ``engine.store.tables`` are read and written with the app's column types
(aware datetimes, UUIDs, JSON), so a copy moves between SQLite and PostgreSQL; other
tables (added by a newer revision, say) are copied with the types the database reports.
The file: line 1 is the header as JSON; then one ``{"t": table, "r": [values]}`` per row,
values encoded per column kind (``datetime``, ``date``, ``uuid``, ``bytes``,
``decimal``, ``json``, ``plain``).
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import sqlalchemy as sa

from engine.store.tables import metadata as app_metadata

FORMAT = "signoff-logical"
VERSION = 1
_SKIP = {"alembic_version"}
Row = tuple[str, list[Any]]  # (table, values in the header's column order)


@dataclass
class TableInfo:
    name: str
    columns: list[str]
    kinds: list[str]
    rows: int = 0


@dataclass
class Header:
    revision: str | None
    dialect: str
    tables: list[TableInfo] = field(default_factory=list)
    format: str = FORMAT
    version: int = VERSION

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _kind(type_: sa.types.TypeEngine[Any]) -> str:
    t = type_
    if isinstance(t, sa.TypeDecorator):
        t = t.impl_instance
    for cls, kind in ((sa.DateTime, "datetime"), (sa.Date, "date"), (sa.Uuid, "uuid"),
                      (sa.JSON, "json"), (sa.LargeBinary, "bytes"), (sa.Float, "plain"),
                      (sa.Numeric, "decimal")):
        if isinstance(t, cls):
            return kind
    return "plain"


def _typed(reflected: sa.Table) -> sa.Table:
    """``reflected`` with the app's column types where the app knows the column."""
    known = app_metadata.tables.get(reflected.name)
    cols = [sa.Column(c.name, known.c[c.name].type if known is not None and c.name in known.c
                      else c.type, primary_key=c.primary_key) for c in reflected.columns]
    return sa.Table(reflected.name, sa.MetaData(), *cols)


def revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    found: str | None = conn.execute(sa.text("select version_num from alembic_version")
                                     ).scalar()
    return found


def tables(conn: sa.Connection) -> list[sa.Table]:
    """Every table but Alembic's, parents before children, with the app's types."""
    reflected = sa.MetaData()
    reflected.reflect(conn)
    return [_typed(t) for t in reflected.sorted_tables if t.name not in _SKIP]


def read(conn: sa.Connection, batch: int = 1000) -> tuple[Header, Iterator[Row]]:
    found = tables(conn)
    header = Header(revision(conn), conn.dialect.name)
    for t in found:
        count = conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        header.tables.append(TableInfo(t.name, [c.name for c in t.columns],
                                       [_kind(c.type) for c in t.columns], int(count)))

    def rows() -> Iterator[Row]:
        for t in found:
            order = list(t.primary_key.columns) or list(t.columns)[:1]
            result = conn.execution_options(yield_per=batch).execute(
                sa.select(t).order_by(*order))
            for r in result:
                yield t.name, list(r)

    return header, rows()


# --- encoding -----------------------------------------------------------------------

def _encode(kind: str, v: Any) -> Any:
    if v is None or kind in ("plain", "json"):
        return v
    if kind in ("datetime", "date"):
        return v.isoformat()
    if kind == "bytes":
        return base64.b64encode(v).decode("ascii")
    return str(v)  # uuid, decimal


_DECODE: dict[str, Callable[[Any], Any]] = {
    "datetime": datetime.fromisoformat, "date": date.fromisoformat, "uuid": UUID,
    "bytes": base64.b64decode, "decimal": Decimal}


def write(out: Path, header: Header, rows: Iterator[Row],
          progress: Callable[[int], None] | None = None) -> None:
    kinds = {t.name: t.kinds for t in header.tables}
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(header)) + "\n")
        for n, (table, values) in enumerate(rows, 1):
            encoded = [_encode(k, v) for k, v in zip(kinds[table], values, strict=True)]
            fh.write(json.dumps({"t": table, "r": encoded}, separators=(",", ":")) + "\n")
            if progress and n % 1000 == 0:
                progress(1000)
        if progress:
            progress(header.total_rows % 1000)


def read_header(fh: IO[str]) -> Header:
    doc = json.loads(fh.readline())
    if doc.get("format") != FORMAT:
        raise ValueError("not a Signoff logical backup")
    doc["tables"] = [TableInfo(**t) for t in doc["tables"]]
    return Header(**doc)


@contextmanager
def load_file(path: Path) -> Iterator[tuple[Header, Iterator[Row]]]:
    """The header and the rows (decoded), while the file is open."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = read_header(fh)
        kinds = {t.name: t.kinds for t in header.tables}

        def rows() -> Iterator[Row]:
            for line in fh:
                doc = json.loads(line)
                ks = kinds[doc["t"]]
                yield doc["t"], [v if v is None or k not in _DECODE else _DECODE[k](v)
                                 for k, v in zip(ks, doc["r"], strict=True)]

        yield header, rows()


@contextmanager
def read_database(url: str) -> Iterator[tuple[Header, Iterator[Row]]]:
    """The header and rows of another database (a SQLite backup file, say)."""
    source = sa.create_engine(url)
    try:
        with source.connect() as conn, conn.begin():
            yield read(conn)
    finally:
        source.dispose()


# --- loading ------------------------------------------------------------------------

def load(conn: sa.Connection, header: Header, rows: Iterator[Row], batch: int = 1000,
         progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Insert ``rows`` into the tables of ``conn``, fresh from the migrations; return rows
    per table. Rows a migration writes itself (``org_version``'s one row, 0022) are in
    the export too: the export's copy is the one kept."""
    target = {t.name: t for t in tables(conn)}
    missing = [t.name for t in header.tables if t.name not in target]
    if missing:
        raise ValueError(f"the database has no table {', '.join(missing)}: "
                         "is it at the backup's revision?")
    for t in header.tables:
        conn.execute(target[t.name].delete())
    columns = {t.name: t.columns for t in header.tables}
    done: dict[str, int] = {}
    pending: list[dict[str, Any]] = []
    current: str | None = None

    def flush() -> None:
        if current is not None and pending:
            conn.execute(target[current].insert(), pending)
            done[current] = done.get(current, 0) + len(pending)
            if progress:
                progress(len(pending))
            pending.clear()

    for table, values in rows:
        if table != current or len(pending) >= batch:
            flush()
            current = table
        pending.append(dict(zip(columns[table], values, strict=True)))
    flush()
    if conn.dialect.name == "postgresql":
        _move_sequences(conn, [target[n] for n in done])
    return done


def _move_sequences(conn: sa.Connection, copied: list[sa.Table]) -> None:
    for t in copied:
        pk = list(t.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer):
            continue
        conn.execute(sa.text(
            "select setval(pg_get_serial_sequence(:t, :c), "
            f'(select coalesce(max("{pk[0].name}"), 0) + 1 from "{t.name}"), false)'),
            {"t": f'"{t.name}"', "c": pk[0].name})


__all__ = ["FORMAT", "Header", "TableInfo", "load", "load_file", "read", "read_database",
           "read_header",
           "revision", "tables", "write"]
