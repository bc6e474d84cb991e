"""Sign-in bookkeeping and credential changes, in one transaction each: the throttle
(``sign_in_throttle``), the audit trail (``audit_log``) and token revocation.

Callers check a password themselves (hashing is the API's concern); this module says
whether to try at all, records what happened, and makes a new password revoke every
token issued before it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from engine.core.throttle import ThrottlePolicy
from engine.store import audit, throttle
from engine.store.tables import ApiToken, AppUser

MAX_CLIENT_KEY = 150
QUIET = timedelta(days=1)


def keys(username: str, client: str) -> tuple[str, str]:
    """The throttle keys of a sign-in: the user name tried and the client address."""
    return f"user:{username}", f"client:{client[:MAX_CLIENT_KEY]}"


def refused_for(session: Session, username: str, client: str, now: datetime
                ) -> timedelta | None:
    """How long sign-ins for this user or from this client stay refused (None: go on)."""
    return throttle.refused_for(session, keys(username, client), now)


def failed(session: Session, username: str, client: str, now: datetime,
           policy: ThrottlePolicy, reason: str) -> timedelta | None:
    """Record a failed sign-in and commit; how long the lock is that it started, if any."""
    locked = throttle.record_failure(session, keys(username, client), now, policy)
    # Counters quiet for a day are forgotten here, so user names made up by a guesser do
    # not pile up (the address limit bounds how many one address can make).
    throttle.forget_quiet(session, now - QUIET)
    audit.record(session, now, "sign_in.failed", username,
                 detail={"client": client[:MAX_CLIENT_KEY], "reason": reason})
    for key, counter in locked.items():
        assert counter.locked_until is not None
        audit.record(session, now, "sign_in.locked", key,
                     detail={"until": counter.locked_until.isoformat(),
                             "lockouts": counter.lockouts, "client": client[:MAX_CLIENT_KEY]})
    session.commit()
    waits = [c.locked_until - now for c in locked.values() if c.locked_until is not None]
    return max(waits, default=None)


def succeeded(session: Session, username: str, now: datetime) -> None:
    """Clear the user's failures (the client's stay counted) and commit."""
    throttle.clear(session, keys(username, "")[0], now)
    session.commit()


def set_password_hash(session: Session, username: str, password_hash: str, now: datetime,
                      *, actor: str | None, action: str) -> bool:
    """Store a new password hash, revoke every token issued before it (access tokens by
    raising ``token_version``, API tokens by marking them revoked), audit, commit.
    False when there is no such user."""
    row = session.get(AppUser, username)
    if row is None:
        return False
    row.password_hash = password_hash
    row.token_version = (row.token_version or 0) + 1
    session.add(row)
    revoked = session.execute(sa.update(ApiToken).where(
        col(ApiToken.username) == username, col(ApiToken.revoked).is_(False))
        .values(revoked=True))
    audit.record(session, now, action, username, actor=actor,
                 detail={"api_tokens_revoked": int(getattr(revoked, "rowcount", 0) or 0)})
    session.commit()
    return True


__all__ = ["failed", "keys", "refused_for", "set_password_hash", "succeeded"]
