"""Deadlines of tasks, pure: when a task is overdue and when it is "due soon".

A task with a ``due_at`` (its step's SLA from when it was created or activated) is
*overdue* from ``due_at`` on, and *due soon* in the last ``DUE_SOON_FRACTION`` of its
allowance before that (or the last ``DUE_SOON_DEFAULT`` when the allowance is unknown).
Only pending tasks have either flag. The inbox, the views and the SLA worker all ask here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

DUE_SOON_FRACTION = 0.25  # "due soon": less than a quarter of the step's SLA left
DUE_SOON_DEFAULT = timedelta(hours=8)  # ... or less than this when the SLA is unknown


class DueFlags(NamedTuple):
    overdue: bool
    due_soon: bool


def due_soon_at(due_at: datetime, created_at: datetime) -> datetime:
    """When a task due at ``due_at`` (allowance counted from ``created_at``) becomes due
    soon."""
    window = ((due_at - created_at) * DUE_SOON_FRACTION if due_at > created_at
              else DUE_SOON_DEFAULT)
    return due_at - window


def due_flags(due_at: datetime | None, created_at: datetime, pending: bool,
              now: datetime) -> DueFlags:
    """(overdue, due_soon) of a task at ``now``."""
    if due_at is None or not pending:
        return DueFlags(False, False)
    if due_at <= now:
        return DueFlags(True, False)
    return DueFlags(False, now >= due_soon_at(due_at, created_at))


__all__ = ["DUE_SOON_DEFAULT", "DUE_SOON_FRACTION", "DueFlags", "due_flags", "due_soon_at"]
