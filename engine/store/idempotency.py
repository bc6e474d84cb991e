"""Idempotency records: a retried request (same ``Idempotency-Key``, same user) gets the
first result back and applies nothing again; the same key with a different request is
an ``IdempotencyConflict``.

The service stores ``{"instance_id", "seq"}`` (the state right after the first
application, replayed on a retry). The API may store whole responses with ``remember``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from engine.core.errors import IdempotencyConflict
from engine.store.tables import IdempotencyRecord


def fingerprint(*parts: Any) -> str:
    """A stable digest of a request: dataclasses (commands), ids, dicts, strings."""
    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {"type": type(value).__name__, **dataclasses.asdict(value)}
        return value

    text = json.dumps([plain(p) for p in parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored_key(key: str) -> str:
    """Keys longer than the column are kept as their digest (never truncated: two long
    keys with a common start must stay different)."""
    if len(key) <= 200:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def lookup(session: Session, key: str, username: str,
           fingerprint: str) -> IdempotencyRecord | None:
    """The record of an earlier request with this key, or None; raises
    IdempotencyConflict when that request was a different one."""
    record = session.exec(select(IdempotencyRecord).where(
        IdempotencyRecord.key == _stored_key(key),
        IdempotencyRecord.username == username)).first()
    if record is not None and record.fingerprint != fingerprint:
        raise IdempotencyConflict(key, username)
    return record


def remember(session: Session, key: str, username: str, fingerprint: str, status_code: int,
             response: dict[str, Any], now: datetime) -> None:
    """Record a result in the caller's transaction. A concurrent twin makes the flush
    raise ``IntegrityError`` (unique key + username)."""
    session.add(IdempotencyRecord(key=_stored_key(key), username=username, fingerprint=fingerprint,
                                  status_code=status_code, response=response, created_at=now))
    session.flush()


__all__ = ["IdempotencyConflict", "fingerprint", "lookup", "remember"]
