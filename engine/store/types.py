"""Column types shared by the tables.

``AwareDateTime`` keeps datetimes timezone-aware on both databases. PostgreSQL has
``timestamptz``; SQLite stores text without an offset and hands back naive values. The
decorator refuses naive input (a naive time is ambiguous, so it is a bug at the caller),
stores UTC, and returns aware UTC datetimes on both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class AwareDateTime(sa.types.TypeDecorator[datetime]):
    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given: store aware times only")
        utc = value.astimezone(UTC)
        # SQLite keeps text: store UTC without an offset so text order is time order.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: JSON documents (form data, payloads, roles).
JSONDoc = sa.JSON()

__all__ = ["AwareDateTime", "JSONDoc"]
