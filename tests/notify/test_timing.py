"""Quiet hours and digests: pure functions of preferences and ``now``."""

from __future__ import annotations

from datetime import UTC, datetime, time

from engine.notify import Preferences, group_digests, in_quiet_hours, release_at, render
from tests.notify.conftest import message

SHANGHAI = Preferences(timezone="Asia/Shanghai", quiet_start=time(22), quiet_end=time(8))


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    """A UTC instant on December ``day`` 2026 (Shanghai is UTC+8)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_quiet_hours_wrap_midnight_in_the_users_zone() -> None:
    assert in_quiet_hours(SHANGHAI, at(14))      # 22:00 local: start is included
    assert in_quiet_hours(SHANGHAI, at(23, 59))  # 07:59 local
    assert not in_quiet_hours(SHANGHAI, at(0))   # 08:00 local: end is not
    assert not in_quiet_hours(SHANGHAI, at(13, 59))


def test_daytime_quiet_hours_and_none() -> None:
    lunch = Preferences(quiet_start=time(12), quiet_end=time(13))
    assert in_quiet_hours(lunch, at(12, 30)) and not in_quiet_hours(lunch, at(13))
    assert not in_quiet_hours(Preferences(), at(3))
    assert not in_quiet_hours(Preferences(quiet_start=time(9), quiet_end=time(9)), at(9))


def test_a_message_in_quiet_hours_waits_for_their_end() -> None:
    assert release_at(SHANGHAI, "reminder", at(15)) == at(0, day=2)   # 23:00 -> 08:00 next day
    assert release_at(SHANGHAI, "reminder", at(21)) == at(0, day=2)   # 05:00 -> 08:00 same day
    assert release_at(SHANGHAI, "reminder", at(3)) == at(3)           # 11:00: at once
    assert release_at(SHANGHAI, "test", at(15)) == at(15)             # tests never wait


def test_digest_waits_for_the_next_digest_time_outside_quiet_hours() -> None:
    prefs = Preferences(timezone="Asia/Shanghai", digest=True,
                        digest_times=(time(9), time(17)))
    assert release_at(prefs, "task_assigned", at(2)) == at(9)        # 10:00 -> 17:00
    assert release_at(prefs, "task_assigned", at(10)) == at(1, day=2)  # 18:00 -> 09:00
    assert release_at(prefs, "daily_report", at(10)) == at(10)       # never digested
    late = Preferences(timezone="Asia/Shanghai", digest=True, digest_times=(time(23),),
                       quiet_start=time(22), quiet_end=time(8))
    assert release_at(late, "approved", at(2)) == at(0, day=2)      # 23:00 is quiet -> 08:00


def test_release_time_is_utc_across_a_dst_change() -> None:
    london = Preferences(timezone="Europe/London", quiet_start=time(22), quiet_end=time(7))
    sunday = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # 23:00 GMT; clocks go forward at 01:00
    assert release_at(london, "reminder", sunday) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)


def test_group_digests_one_per_person_with_a_stable_id() -> None:
    a1 = message("task_assigned", msg_id="a1")
    a2 = message("approved", msg_id="a2")
    t = message("test", msg_id="t1")
    other = message("copied", msg_id="b1", email="b@example.com")
    other = type(other)(other.id, other.kind,
                        type(other.recipient)("bob", "Bob", "b@example.com"), other.data,
                        other.created_at)
    out = group_digests([a1, t, a2, other])
    kinds = sorted(m.kind for m in out)
    assert kinds == ["copied", "digest", "test"]
    digest = next(m for m in out if m.kind == "digest")
    assert digest.recipient.user_id == "li.na"
    assert [i["id"] for i in digest.data["items"]] == ["a1", "a2"]
    again = group_digests([a2, a1])[0]
    assert again.id == digest.id and again.created_at == digest.created_at
    r = render(digest, "https://signoff.example.com")
    assert r.subject == "2 updates from Signoff"
    assert [t for t, _ in r.items] == ["Approval needed: SO-0042 Shanghai Jing'an store",
                                       "Approved: SO-0042 Shanghai Jing'an store"]
    assert "https://signoff.example.com/tasks/7f3e" in r.html


def test_big_digests_are_split() -> None:
    many = [message("reminder", msg_id=f"m{i}") for i in range(7)]
    out = group_digests(many, max_items=3)
    assert [len(m.data["items"]) if m.kind == "digest" else 1 for m in out] == [3, 3, 1]
