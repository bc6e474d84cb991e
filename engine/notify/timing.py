"""When a message may go, and how several become one digest: pure functions of a
person's preferences and ``now`` (no clock is read here).

- Quiet hours are a local time range in the person's time zone (``22:00``-``08:00``
  wraps midnight); a message due inside them waits for their end.
- In digest mode, messages wait for the next of the person's digest times (default
  09:00 local) and are then grouped by ``group_digests`` into one ``digest`` message.
- ``test`` always goes at once (someone pressed "send me a test"); ``daily_report`` and
  ``test`` are never folded into a digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.notify.message import Language, Message

IMMEDIATE = frozenset({"test"})
NOT_DIGESTED = frozenset({"test", "daily_report", "digest"})
MAX_DIGEST_ITEMS = 50


@dataclass(frozen=True, slots=True)
class Preferences:
    """One person's notification settings (the outbox stores them; this is the shape the
    helpers below read)."""

    channels: tuple[str, ...] = ("email",)
    language: Language = "en"
    timezone: str = "UTC"
    quiet_start: time | None = None
    quiet_end: time | None = None
    digest: bool = False
    digest_times: tuple[time, ...] = (time(9, 0),)


def in_quiet_hours(prefs: Preferences, now: datetime) -> bool:
    """True when ``now`` falls in the person's quiet hours (start included, end not)."""
    start, end = prefs.quiet_start, prefs.quiet_end
    if start is None or end is None or start == end:
        return False
    t = now.astimezone(_zone(prefs)).time().replace(tzinfo=None)
    return start <= t < end if start < end else (t >= start or t < end)


def release_at(prefs: Preferences, kind: str, now: datetime) -> datetime:
    """The earliest time (UTC) a message of ``kind`` created at ``now`` may be sent."""
    _aware(now)
    if kind in IMMEDIATE:
        return now.astimezone(UTC)
    when = now
    if prefs.digest and kind not in NOT_DIGESTED and prefs.digest_times:
        when = min(_next_local(prefs, t, now) for t in prefs.digest_times)
    if in_quiet_hours(prefs, when) and prefs.quiet_end is not None:
        when = _next_local(prefs, prefs.quiet_end, when)
    return when.astimezone(UTC)


def group_digests(messages: Iterable[Message],
                  max_items: int = MAX_DIGEST_ITEMS) -> list[Message]:
    """Fold the messages due together into one ``digest`` per person.

    A person with a single message gets it unchanged; ``test``, ``daily_report`` and
    existing digests pass through. The digest's id is derived from its members' ids and
    its ``created_at`` is the newest member's, so rebuilding it after a crash yields the
    same message (the same id for receivers to dedupe). More than ``max_items`` for one
    person become several digests.
    """
    passing: list[Message] = []
    groups: dict[str, list[Message]] = {}
    for m in messages:
        if m.kind in NOT_DIGESTED:
            passing.append(m)
        else:
            groups.setdefault(m.recipient.user_id, []).append(m)
    out = list(passing)
    for members in groups.values():
        members.sort(key=lambda m: (m.created_at, m.id))
        for i in range(0, len(members), max_items):
            chunk = members[i:i + max_items]
            out.append(chunk[0] if len(chunk) == 1 else _digest(chunk))
    return out


def _digest(members: Sequence[Message]) -> Message:
    ids = "\n".join(sorted(m.id for m in members))
    newest = max(members, key=lambda m: m.created_at)
    return Message(
        id="digest-" + hashlib.sha256(ids.encode()).hexdigest()[:40], kind="digest",
        recipient=newest.recipient, created_at=newest.created_at,
        data={"items": [m.to_dict() for m in members]})


def _zone(prefs: Preferences) -> ZoneInfo:
    try:
        return ZoneInfo(prefs.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _next_local(prefs: Preferences, at: time, now: datetime) -> datetime:
    """The first moment at or after ``now`` whose local wall-clock time is ``at``."""
    zone = _zone(prefs)
    local = now.astimezone(zone)
    day = local.date()
    for _ in range(3):
        candidate = datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)
        if candidate >= local:
            return candidate
        day += timedelta(days=1)
    raise AssertionError("unreachable: a wall-clock time recurs every day")


def _aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")


__all__ = ["IMMEDIATE", "MAX_DIGEST_ITEMS", "NOT_DIGESTED", "Preferences",
           "group_digests", "in_quiet_hours", "release_at"]
