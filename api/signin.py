"""``POST /api/auth/login`` as a guarded flow: throttled per user and per client address
(counted in the database, so every process sees every failure), with a bounded number
of password hashes at once per process, and an audit record per failure.

1. A user or an address that is locked out gets a 429 with ``Retry-After`` at once: no
   password is hashed for it.
2. The password check waits for one of ``login_hash_concurrency`` slots (argon2 takes
   64 MiB and tens of milliseconds each); after ``login_hash_wait_seconds`` without one,
   a 503 with ``Retry-After``. Waiting costs no thread.
3. A failure is counted and audited; the one that reaches a limit answers 429 too.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from api import auth
from api.problems import Problem
from api.runtime import Runtime
from api.tokens import AccessToken, issue_access_token
from engine import signin
from engine.core.directory import User
from engine.core.throttle import ThrottlePolicy


class HashSlots:
    """At most ``size`` password hashes at once in this process; ``peak`` is the most
    ever held together (for tests and operators)."""

    def __init__(self, size: int, wait_s: float) -> None:
        self.size, self.wait_s = size, wait_s
        self._free = asyncio.Semaphore(size)
        self.in_use = self.peak = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        try:
            await asyncio.wait_for(self._free.acquire(), timeout=self.wait_s)
        except TimeoutError:
            raise Problem(503, "Too many sign-ins at once: try again in a moment",
                          title="Busy", headers={"Retry-After": "1"}) from None
        self.in_use += 1
        self.peak = max(self.peak, self.in_use)
        try:
            yield
        finally:
            self.in_use -= 1
            self._free.release()


def policy_of(runtime: Runtime) -> ThrottlePolicy:
    s = runtime.settings
    return ThrottlePolicy(user_limit=s.login_user_limit, client_limit=s.login_client_limit,
                          window=timedelta(minutes=s.login_window_minutes),
                          lockout=timedelta(minutes=s.login_lockout_minutes),
                          max_lockout=timedelta(minutes=s.login_max_lockout_minutes))


def client_address(request: Request) -> str:
    """The caller's address (a trusted proxy's ``X-Forwarded-For`` already applied)."""
    return request.client.host if request.client else "unknown"


def too_many(wait: timedelta, detail: str) -> Problem:
    seconds = max(1, math.ceil(wait.total_seconds()))
    return Problem(429, f"{detail}: try again in {seconds} s", title="Too many attempts",
                   headers={"Retry-After": str(seconds)})


def _refused_for(runtime: Runtime, username: str, client: str, now: datetime
                 ) -> timedelta | None:
    with runtime.db.session(write=False) as session:
        return signin.refused_for(session, username, client, now)


def _check(runtime: Runtime, username: str, password: str) -> tuple[User | None, str]:
    with runtime.db.session(write=False) as session:
        return auth.check_password(session, username, password)


def _failed(runtime: Runtime, username: str, client: str, now: datetime, reason: str
            ) -> timedelta | None:
    with runtime.db.session() as session:
        return signin.failed(session, username, client, now, policy_of(runtime), reason)


def _succeeded(runtime: Runtime, username: str, now: datetime) -> None:
    with runtime.db.session() as session:
        signin.succeeded(session, username, now)


async def sign_in(runtime: Runtime, slots: HashSlots, username: str, password: str,
                  client: str, now: datetime) -> tuple[User, AccessToken]:
    wait = await run_in_threadpool(_refused_for, runtime, username, client, now)
    if wait is not None:
        raise too_many(wait, "Too many failed sign-ins for this user or from this address")
    async with slots.slot():
        user, reason = await run_in_threadpool(_check, runtime, username, password)
    if user is None:
        locked = await run_in_threadpool(_failed, runtime, username, client, now, reason)
        if locked is not None:
            raise too_many(locked, "Wrong username or password, and too many failures")
        raise auth.unauthorized("Wrong username or password")
    await run_in_threadpool(_succeeded, runtime, username, now)
    lifetime = timedelta(minutes=runtime.settings.token_lifetime_minutes)
    token = issue_access_token(runtime.secret, user.username, now, lifetime,
                               user.token_version)
    return user, token


__all__ = ["HashSlots", "client_address", "policy_of", "sign_in", "too_many"]
