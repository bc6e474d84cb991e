"""``engine.core.sla``: overdue and due-soon flags, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.core.sla import DueFlags, due_flags, due_soon_at

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(("due_in", "now_at", "pending", "flags"), [
    (None, 5 * H, True, (False, False)),      # no SLA: never flagged
    (8 * H, 1 * H, True, (False, False)),     # plenty left
    (8 * H, 6 * H, True, (False, True)),      # the last quarter (2h) of an 8h allowance
    (8 * H, 8 * H, True, (True, False)),      # due now: overdue
    (8 * H, 9 * H, False, (False, False)),    # decided tasks carry no flag
    (-H, 0 * H, True, (True, False)),         # due before it was created
])
def test_flags(due_in: timedelta | None, now_at: timedelta, pending: bool,
               flags: tuple[bool, bool]) -> None:
    due = T0 + due_in if due_in is not None else None
    assert due_flags(due, T0, pending, T0 + now_at) == DueFlags(*flags)


def test_due_soon_starts_a_quarter_of_the_allowance_before_the_deadline() -> None:
    assert due_soon_at(T0 + 8 * H, T0) == T0 + 6 * H
    assert due_soon_at(T0, T0) == T0 - 8 * H  # unknown allowance: the default window
