"""Failed sign-ins counted in ``sign_in_throttle``, shared by every app process.

``record_failure`` is safe under concurrency: the rows are created if missing
(``ON CONFLICT DO NOTHING``), then read ``FOR UPDATE`` in key order on PostgreSQL (SQLite
serialises writers already), so two processes counting the same key at once both count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from engine.core.throttle import Counter, ThrottlePolicy, after_failure, locked_for
from engine.store.security_tables import SignInThrottle


def _counter(row: SignInThrottle) -> Counter:
    return Counter(row.failures, row.window_start, row.locked_until, row.lockouts)


def refused_for(session: Session, keys: Sequence[str], now: datetime) -> timedelta | None:
    """How long the longest lock among ``keys`` still lasts (None: none is locked)."""
    rows = session.exec(select(SignInThrottle).where(col(SignInThrottle.key).in_(keys))).all()
    waits = [w for w in (locked_for(_counter(r), now) for r in rows) if w is not None]
    return max(waits, default=None)


def record_failure(session: Session, keys: Sequence[str], now: datetime,
                   policy: ThrottlePolicy) -> dict[str, Counter]:
    """Count one failure against each key (in the caller's transaction); the keys that
    this failure locked, with their new counters."""
    keys = sorted(set(keys))
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for key in keys:
        session.execute(insert(SignInThrottle).values(
            key=key, failures=0, window_start=now, lockouts=0, updated_at=now,
        ).on_conflict_do_nothing(index_elements=["key"]))
    rows = session.exec(select(SignInThrottle).where(col(SignInThrottle.key).in_(keys))
                        .order_by(col(SignInThrottle.key)).with_for_update()).all()
    locked: dict[str, Counter] = {}
    for row in rows:
        before = _counter(row)
        if locked_for(before, now) is not None:
            continue  # already locked: refused before any password check
        after = after_failure(before, now, policy.limit(row.key), policy)
        row.failures, row.window_start = after.failures, after.window_start
        row.locked_until, row.lockouts, row.updated_at = after.locked_until, after.lockouts, now
        session.add(row)
        if after.locked_until is not None and after.locked_until != before.locked_until:
            locked[row.key] = after
    session.flush()
    return locked


def clear(session: Session, key: str, now: datetime) -> None:
    """Forget the failures and past lockouts of ``key`` (a lock in force stays)."""
    session.execute(sa.update(SignInThrottle).where(
        col(SignInThrottle.key) == key,
        sa.or_(col(SignInThrottle.locked_until).is_(None),
               col(SignInThrottle.locked_until) <= now))
        .values(failures=0, lockouts=0, locked_until=None, window_start=now, updated_at=now))


def forget_quiet(session: Session, before: datetime) -> int:
    """Delete counters untouched since ``before`` and not locked after it."""
    result = session.execute(sa.delete(SignInThrottle).where(
        col(SignInThrottle.updated_at) < before,
        sa.or_(col(SignInThrottle.locked_until).is_(None),
               col(SignInThrottle.locked_until) < before)))
    return int(getattr(result, "rowcount", 0) or 0)


__all__ = ["clear", "forget_quiet", "record_failure", "refused_for"]
