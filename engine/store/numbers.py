"""Request numbers people can quote: ``PREFIX-YEAR-NNNNN`` (``SO-2026-00123``).

One counter row per prefix and year (``number_sequence``) is raised by an
``UPDATE ... RETURNING`` inside the transaction that starts the request: on PostgreSQL
the row lock makes concurrent starts with the same prefix wait for each other's commit,
on SQLite the writer lock does the same, and a start that rolls back gives its number
back. So numbers are unique and without gaps from failed starts.

- ``format_number(prefix, year, seq)``: the text.
- ``allocate(conn, prefix, year, count=1) -> first``: reserve ``count`` numbers in a row.
- ``known(instance_id)``, ``remember(instance_id, number)``: numbers at hand, so a page
  shown right after a start needs no read.
- ``assign(conn, [(instance_id, prefix, started_at)], tz)``: number new requests (in the
  order given) and write them on their ``instance`` rows; the year is the start's year
  in ``tz`` (``org_timezone(calendar)``: the organisation's time zone).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from engine.store.tables import Instance, NumberSequence

_seq = NumberSequence.__table__  # type: ignore[attr-defined]
_instance = Instance.__table__  # type: ignore[attr-defined]
WIDTH = 5


_known: OrderedDict[UUID, str] = OrderedDict()
_KNOWN_MAX = 20_000


def remember(instance_id: UUID, number: str) -> None:
    """Keep a request's number at hand (it never changes once given)."""
    _known[instance_id] = number
    _known.move_to_end(instance_id)
    while len(_known) > _KNOWN_MAX:
        _known.popitem(last=False)


def known(instance_id: UUID) -> str | None:
    """The number given to or read for ``instance_id`` in this process, if any."""
    return _known.get(instance_id)


def org_timezone(calendar: object) -> tzinfo:
    """The time zone of the organisation's calendar (its ``timezone``), else UTC."""
    name = getattr(calendar, "timezone", None)
    return ZoneInfo(name) if isinstance(name, str) and name else UTC


def format_number(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}-{year}-{seq:0{WIDTH}d}"


def allocate(conn: sa.Connection, prefix: str, year: int, count: int = 1) -> int:
    """The first of ``count`` fresh sequence numbers of ``prefix`` in ``year``."""
    bump = (_seq.update().where(_seq.c.prefix == prefix, _seq.c.year == year)
            .values(last=_seq.c.last + count).returning(_seq.c.last))
    last = conn.execute(bump).scalar()
    if last is None:
        # the first number of the year: create the row (a racing start may create it
        # first: ON CONFLICT DO NOTHING, then both bump it under the row lock)
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(dialect.insert(_seq).values(prefix=prefix, year=year, last=0)
                     .on_conflict_do_nothing(index_elements=["prefix", "year"]))
        last = conn.execute(bump).scalar_one()
    return int(last) - count + 1


def assign(conn: sa.Connection, requests: Sequence[tuple[UUID, str, datetime]],
           tz: tzinfo) -> dict[UUID, str]:
    """Number ``requests`` (id, prefix, started_at) in order; returns id -> number."""
    groups: dict[tuple[str, int], list[UUID]] = {}
    for iid, prefix, started in requests:
        groups.setdefault((prefix, started.astimezone(tz).year), []).append(iid)
    out: dict[UUID, str] = {}
    for (prefix, year), ids in sorted(groups.items()):
        first = allocate(conn, prefix, year, len(ids))
        for n, iid in enumerate(ids):
            out[iid] = format_number(prefix, year, first + n)
    for iid, number in out.items():
        remember(iid, number)
    if out:
        conn.execute(_instance.update().where(_instance.c.id == sa.bindparam("k_id"))
                     .values(number=sa.bindparam("n")),
                     [{"k_id": k, "n": v} for k, v in out.items()])
    return out


__all__ = ["WIDTH", "allocate", "assign", "format_number", "known", "org_timezone",
           "remember"]
