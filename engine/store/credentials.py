"""Reading a user's password hash (``account``) and API tokens (as hashes, ``api_token``).

The API hashes and checks; this module only reads and writes the rows, in the caller's
transaction (nothing here commits). Password changes go through ``engine.signin``.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from engine.core.directory import User
from engine.store.org import user_of
from engine.store.tables import ApiToken, AppUser


def account(session: Session, username: str) -> tuple[User | None, str | None]:
    """``username`` and the stored hash of their password (None, None: no such user). A
    user who left (an org sync) is no user, but their hash is still checked: the time a
    refusal takes does not tell who left."""
    row = session.get(AppUser, username)
    if row is None:
        return None, None
    return (user_of(row) if row.left_at is None else None), row.password_hash


def api_token(session: Session, token_hash: str) -> ApiToken | None:
    return session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()


def api_tokens(session: Session, username: str) -> list[ApiToken]:
    """``username``'s tokens that are not revoked, oldest first."""
    return list(session.exec(select(ApiToken).where(
        ApiToken.username == username, col(ApiToken.revoked).is_(False))
        .order_by(col(ApiToken.id))).all())


def add_api_token(session: Session, username: str, name: str, token_hash: str,
                  now: datetime, expires_at: datetime | None) -> ApiToken:
    row = ApiToken(username=username, name=name, token_hash=token_hash, created_at=now,
                   expires_at=expires_at)
    session.add(row)
    session.flush()
    return row


def revoke_api_token(session: Session, token_id: int, username: str) -> bool:
    """Revoke ``username``'s token ``token_id``; False when they have no such live token."""
    row = session.get(ApiToken, token_id)
    if row is None or row.username != username or row.revoked:
        return False
    row.revoked = True
    session.add(row)
    session.flush()
    return True


__all__ = ["account", "add_api_token", "api_token", "api_tokens", "revoke_api_token"]
