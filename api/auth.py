"""Who is calling: sign-in, bearer tokens (JWT or API token) and role checks.

Roles: everyone signed in may request, and decide what is assigned to them (the engine
checks assignment); process owners manage definitions; admins manage users and cancel.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from api.problems import Problem
from api.tokens import (
    API_TOKEN_PREFIX,
    AccessToken,
    api_token_hash,
    issue_access_token,
    new_api_token,
    read_access,
    verify_password,
)
from engine import queries, service
from engine.core.directory import OrgDirectory, User
from engine.store import ApiToken
from engine.store.org import current_directory

NOT_SIGNED_IN = {"WWW-Authenticate": "Bearer"}


def unauthorized(detail: str) -> Problem:
    return Problem(401, detail, headers=NOT_SIGNED_IN)


def check_password(session: Session, username: str, password: str) -> tuple[User | None, str]:
    """The user when ``password`` is theirs, else None and why (for the audit log). An
    unknown user costs a hash too, so timing does not tell who exists."""
    user, hashed = queries.account(session, username)
    ok = verify_password(hashed, password)
    if user is None:
        return None, "unknown_user"
    if not ok:
        return None, "wrong_password" if hashed else "no_password"
    return user, ""


def _api_token_user(session: Session, token: str, now: datetime) -> str | None:
    row = queries.api_token(session, api_token_hash(token))
    if row is None or row.revoked or (row.expires_at is not None and row.expires_at <= now):
        return None
    return row.username


def user_for_token(session: Session, token: str, secret: str, now: datetime,
                   directory: OrgDirectory | None = None) -> User:
    """The user a bearer token stands for; a Problem 401 when it stands for nobody.
    ``directory``: the current one, when the caller has just read it."""
    version: int | None = None  # API tokens are revoked in their own rows instead
    if token.startswith(API_TOKEN_PREFIX):
        username = _api_token_user(session, token, now)
    else:
        found = read_access(secret, token, now)
        username, version = found if found else (None, None)
    return _known(session, username, version, directory)


# A stream ticket lives long enough to open the stream, and is only good for that: an
# EventSource cannot send headers, and a URL ends up in access logs.
EVENTS_TICKET_LIFETIME = timedelta(seconds=60)


def events_ticket(user: User, secret: str, now: datetime) -> AccessToken:
    return issue_access_token(secret, user.username, now, EVENTS_TICKET_LIFETIME,
                              user.token_version, typ="events")


def user_for_events_ticket(session: Session, ticket: str, secret: str, now: datetime,
                           directory: OrgDirectory | None = None) -> User:
    found = read_access(secret, ticket, now, typ="events")
    username, version = found if found else (None, None)
    return _known(session, username, version, directory)


def _known(session: Session, username: str | None, version: int | None,
           directory: OrgDirectory | None) -> User:
    """The user of a token; ``version`` the token version it carries (None for API
    tokens, which are revoked in their own rows)."""
    if username is None:
        raise unauthorized("The token is invalid or has expired: sign in again")
    # The directory holds every user row; it is cached per process and checked against
    # the database on each call, so a removed user is refused at once. API tokens are
    # looked up above on every call, so a revoked one is refused at once too.
    user = (directory or current_directory(session)).get(username)
    if user is None:
        raise unauthorized(f"User {username!r} no longer exists")
    if version is not None and version != user.token_version:
        raise unauthorized("The password has changed since this token was issued: sign in "
                           "again")
    return user


def create_api_token(session: Session, user: User, name: str, now: datetime,
                     lifetime: timedelta | None) -> tuple[str, ApiToken]:
    token = new_api_token()
    row = service.add_api_token(session, user.username, name, api_token_hash(token), now,
                                now + lifetime if lifetime else None)
    return token, row


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise Problem(403, f"{user.username} is not an administrator")


def require_process_owner(user: User) -> None:
    if not user.is_process_owner:
        raise Problem(403, f"{user.username} is not a process owner")


__all__ = ["EVENTS_TICKET_LIFETIME", "NOT_SIGNED_IN", "check_password", "create_api_token",
           "events_ticket", "require_admin", "require_process_owner", "unauthorized",
           "user_for_events_ticket", "user_for_token"]
