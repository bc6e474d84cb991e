"""Sign-in throttling, as pure functions of a counter and the clock.

Failed sign-ins are counted per key (a user name, a client address) in a window of
``window`` from the first failure. When a key reaches its limit it is locked for
``lockout``, doubled for each lockout in a row (up to ``max_lockout``); the counter then
starts again. A successful sign-in clears the user's counter (never the client's: one
account's password must not buy an address more guesses at other accounts).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    user_limit: int = 5  # failures per user name in a window
    client_limit: int = 20  # failures per client address in a window
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=5)
    max_lockout: timedelta = timedelta(hours=4)

    def limit(self, key: str) -> int:
        return self.user_limit if key.startswith("user:") else self.client_limit


@dataclass(frozen=True, slots=True)
class Counter:
    failures: int
    window_start: datetime
    locked_until: datetime | None = None
    lockouts: int = 0


def locked_for(counter: Counter | None, now: datetime) -> timedelta | None:
    """How much longer ``counter`` is locked at ``now`` (None: not locked)."""
    if counter is None or counter.locked_until is None or counter.locked_until <= now:
        return None
    return counter.locked_until - now


def after_failure(counter: Counter | None, now: datetime, limit: int,
                  policy: ThrottlePolicy) -> Counter:
    """The counter after one more failure at ``now``; locked when it reaches ``limit``."""
    if counter is None or counter.window_start + policy.window <= now:
        lockouts = 0 if counter is None or _rested(counter, now, policy) else counter.lockouts
        counter = Counter(0, now, None, lockouts)
    counter = replace(counter, failures=counter.failures + 1)
    if counter.failures < limit:
        return counter
    length = min(policy.lockout * (2 ** min(counter.lockouts, 16)), policy.max_lockout)
    return Counter(0, now, now + length, counter.lockouts + 1)


def _rested(counter: Counter, now: datetime, policy: ThrottlePolicy) -> bool:
    """A key quiet for a whole window since its last lockout ended starts afresh."""
    end = counter.locked_until or counter.window_start
    return end + policy.window <= now


__all__ = ["Counter", "ThrottlePolicy", "after_failure", "locked_for"]
