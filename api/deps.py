"""FastAPI dependencies as ``Annotated`` aliases: ``RuntimeDep``, ``ReadSessionDep``,
``NowDep``, ``CallerDep`` (user and directory), ``UserDep``, ``AdminDep``, ``OwnerDep``,
``IdempotencyKeyDep``.

A dependency that does no I/O is ``async def``: FastAPI runs every sync dependency in
the thread pool, a hand-off per dependency per request (issue 17). Only those that read
the database (the session, the caller) are sync."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api.auth import require_admin, require_process_owner, unauthorized, user_for_token
from api.context import note_user
from api.problems import Problem
from api.runtime import Runtime
from engine.core.directory import OrgDirectory, User
from engine.store.org import current_directory


async def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


async def _now(runtime: RuntimeDep) -> datetime:
    return runtime.clock()


NowDep = Annotated[datetime, Depends(_now)]


def _read_session(runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.db.session(write=False) as session:
        yield session


# Write sessions are opened inside the (sync) route body, never in a dependency: on
# SQLite they hold a per-process lock owned by a thread, and FastAPI may enter and exit a
# sync dependency in different threadpool threads. Use ``runtime.db.session()``.
ReadSessionDep = Annotated[Session, Depends(_read_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="A token from /api/auth/login, "
                                                   "or a long-lived API token")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, and the directory that was checked to find them (FastAPI computes
    it once per request, so a read route needs no second look at the directory)."""

    user: User
    directory: OrgDirectory


def _caller(runtime: RuntimeDep, now: NowDep,
            credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
            ) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized("Sign in first: send Authorization: Bearer <token>")
    with runtime.db.session(write=False) as session:
        directory = current_directory(session)
        user = user_for_token(session, credentials.credentials, runtime.secret, now,
                              directory)
        note_user(user.username)  # for the request's log line
        return Caller(user, directory)


CallerDep = Annotated[Caller, Depends(_caller)]


async def _user(caller: CallerDep) -> User:
    return caller.user


UserDep = Annotated[User, Depends(_user)]


async def _admin(user: UserDep) -> User:
    require_admin(user)
    return user


async def _owner(user: UserDep) -> User:
    require_process_owner(user)
    return user


AdminDep = Annotated[User, Depends(_admin)]
OwnerDep = Annotated[User, Depends(_owner)]


async def _idempotency_key(key: Annotated[str | None, Header(
        alias="Idempotency-Key", min_length=1, max_length=200,
        description="Repeat a request safely: the same key returns the first result")] = None,
        ) -> str | None:
    return key


IdempotencyKeyDep = Annotated[str | None, Depends(_idempotency_key)]


async def body_text(request: Request, limit: int, what: str) -> str:
    """A text body (YAML, JSON, CSV) of at most ``limit`` bytes, as UTF-8; else a 422 that
    names ``what`` ("The definition", "The org directory")."""
    raw = await request.body()
    if len(raw) > limit:
        raise Problem(422, f"{what} is larger than {limit} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(422, f"{what} is not UTF-8 text") from None

__all__ = ["AdminDep", "Caller", "CallerDep", "IdempotencyKeyDep", "NowDep", "OwnerDep",
           "ReadSessionDep", "RuntimeDep", "UserDep", "body_text"]
