"""Who is calling: sign-in, bearer tokens (JWT or API token) and role checks.

Roles: everyone signed in may request, and decide what is assigned to them (the engine
checks assignment); process owners manage definitions; admins manage users and cancel.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from api.problems import Problem
from api.tokens import (
    API_TOKEN_PREFIX,
    AccessToken,
    api_token_hash,
    issue_access_token,
    new_api_token,
    read_access_token,
    verify_password,
)
from engine.core.directory import OrgDirectory, User
from engine.store import ApiToken, AppUser
from engine.store.org import current_directory, user_of

NOT_SIGNED_IN = {"WWW-Authenticate": "Bearer"}


def unauthorized(detail: str) -> Problem:
    return Problem(401, detail, headers=NOT_SIGNED_IN)


def sign_in(session: Session, username: str, password: str, secret: str, now: datetime,
            lifetime: timedelta) -> tuple[User, AccessToken]:
    row = session.get(AppUser, username)
    ok = verify_password(row.password_hash if row else None, password)
    if row is None or not ok:
        raise unauthorized("Wrong username or password")
    return user_of(row), issue_access_token(secret, row.username, now, lifetime)


def _api_token_user(session: Session, token: str, now: datetime) -> str | None:
    row = session.exec(select(ApiToken).where(
        ApiToken.token_hash == api_token_hash(token))).first()
    if row is None or row.revoked or (row.expires_at is not None and row.expires_at <= now):
        return None
    return row.username


def user_for_token(session: Session, token: str, secret: str, now: datetime,
                   directory: OrgDirectory | None = None) -> User:
    """The user a bearer token stands for; a Problem 401 when it stands for nobody.
    ``directory``: the current one, when the caller has just read it."""
    if token.startswith(API_TOKEN_PREFIX):
        username = _api_token_user(session, token, now)
    else:
        username = read_access_token(secret, token, now)
    return _known(session, username, directory)


# A stream ticket lives long enough to open the stream, and is only good for that: an
# EventSource cannot send headers, and a URL ends up in access logs.
EVENTS_TICKET_LIFETIME = timedelta(seconds=60)


def events_ticket(user: User, secret: str, now: datetime) -> AccessToken:
    return issue_access_token(secret, user.username, now, EVENTS_TICKET_LIFETIME,
                              typ="events")


def user_for_events_ticket(session: Session, ticket: str, secret: str, now: datetime,
                           directory: OrgDirectory | None = None) -> User:
    return _known(session, read_access_token(secret, ticket, now, typ="events"), directory)


def _known(session: Session, username: str | None, directory: OrgDirectory | None) -> User:
    if username is None:
        raise unauthorized("The token is invalid or has expired: sign in again")
    # The directory holds every user row; it is cached per process and checked against
    # the database on each call, so a removed user is refused at once. API tokens are
    # looked up above on every call, so a revoked one is refused at once too.
    user = (directory or current_directory(session)).get(username)
    if user is None:
        raise unauthorized(f"User {username!r} no longer exists")
    return user


def create_api_token(session: Session, user: User, name: str, now: datetime,
                     lifetime: timedelta | None) -> tuple[str, ApiToken]:
    token = new_api_token()
    row = ApiToken(username=user.username, name=name, token_hash=api_token_hash(token),
                   created_at=now, expires_at=now + lifetime if lifetime else None)
    session.add(row)
    session.commit()
    return token, row


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise Problem(403, f"{user.username} is not an administrator")


def require_process_owner(user: User) -> None:
    if not user.is_process_owner:
        raise Problem(403, f"{user.username} is not a process owner")


__all__ = ["EVENTS_TICKET_LIFETIME", "NOT_SIGNED_IN", "create_api_token", "events_ticket",
           "require_admin", "require_process_owner", "sign_in", "unauthorized",
           "user_for_events_ticket", "user_for_token"]
