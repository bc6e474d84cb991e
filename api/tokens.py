"""Credentials: argon2 password hashes, short-lived JWT bearer tokens, long-lived API tokens.

JWT expiry is checked against the app's clock (not the wall clock) so simulated time in
tests and demos is consistent: a token issued "now" expires ``lifetime`` later in that
same timeline.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

API_TOKEN_PREFIX = "so_"
_ALGORITHM = "HS256"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Burn comparable time so unknown users are not distinguishable by timing.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_at: datetime


def issue_access_token(secret: str, username: str, now: datetime,
                       lifetime: timedelta, version: int = 0, typ: str = "access"
                       ) -> AccessToken:
    """A signed token for ``username``; ``ver`` is the user's token version when it was
    issued (a password change raises it, and older tokens are then refused). ``typ``
    "events" is a stream ticket: it opens ``/api/events`` only, and nothing else accepts
    it."""
    expires = now + lifetime
    claims = {"sub": username, "iat": int(now.timestamp()), "exp": int(expires.timestamp()),
              "typ": typ, "ver": version}
    return AccessToken(jwt.encode(claims, secret, algorithm=_ALGORITHM), expires)


def read_access(secret: str, token: str, now: datetime, typ: str = "access"
                ) -> tuple[str, int] | None:
    """The username and token version of a valid, unexpired token of kind ``typ``, else
    None."""
    try:
        claims = jwt.decode(token, secret, algorithms=[_ALGORITHM],
                            options={"verify_exp": False, "require": ["sub", "exp"]})
    except jwt.PyJWTError:
        return None
    if claims.get("typ") != typ or int(claims["exp"]) <= now.timestamp():
        return None
    sub, version = claims["sub"], claims.get("ver", 0)
    if not isinstance(sub, str) or not isinstance(version, int):
        return None
    return sub, version


def read_access_token(secret: str, token: str, now: datetime,
                      typ: str = "access") -> str | None:
    """The username a valid, unexpired token of kind ``typ`` was issued to, else None."""
    found = read_access(secret, token, now, typ)
    return None if found is None else found[0]


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def api_token_hash(token: str) -> str:
    """API tokens are random with 256 bits of entropy, so a plain SHA-256 suffices for
    storage (no salt or slow hash needed) and allows an indexed lookup."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


__all__ = ["API_TOKEN_PREFIX", "AccessToken", "api_token_hash", "hash_password",
           "issue_access_token", "new_api_token", "read_access", "read_access_token",
           "verify_password"]
