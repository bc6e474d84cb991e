"""Sign-in and credentials: ``/api/auth/login``, ``/api/auth/demo-users``, ``/api/tokens``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request

from api import auth, signin
from api.audit import note as audit_note
from api.deps import NowDep, ReadSessionDep, RuntimeDep, UserDep
from api.openapi import SIGNED_IN, problem_responses
from api.problems import Problem
from api.schemas import DemoUserOut, LoginIn, LoginOut, TokenIn, TokenOut, TokenSummaryOut
from api.views import user_out
from engine import demo, queries, service

router = APIRouter(tags=["auth"], responses=problem_responses(*SIGNED_IN, 404))


@router.post("/auth/login", response_model=LoginOut, responses=problem_responses(503))
async def login(body: LoginIn, request: Request, runtime: RuntimeDep, now: NowDep
                ) -> LoginOut:
    """A bearer token for a user name and password. Throttled per user and per client
    address: too many failures answer 429 with ``Retry-After`` until the lockout ends."""
    user, token = await signin.sign_in(runtime, request.app.state.hash_slots, body.username,
                                       body.password, signin.client_address(request), now)
    return LoginOut(access_token=token.token, expires_at=token.expires_at,
                    user=user_out(user))


@router.get("/auth/demo-users", response_model=list[DemoUserOut])
def list_demo_users(runtime: RuntimeDep) -> list[DemoUserOut]:
    """Demo users and their passwords (demo mode only, for the sign-in page)."""
    if not runtime.settings.demo:
        raise Problem(404, "Not running in demo mode")
    return [DemoUserOut(username=u.username, password=u.password, name=u.name,
                        name_zh=u.name_zh or None, description=u.description)
            for u in demo.demo_users()]


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(body: TokenIn, user: UserDep, runtime: RuntimeDep, now: NowDep
                 ) -> TokenOut:
    """A long-lived token for integrations; shown once, stored only as a hash."""
    days = body.expires_days or runtime.settings.api_token_lifetime_days
    with runtime.db.session() as session:
        token, row = auth.create_api_token(session, user, body.name, now,
                                           timedelta(days=days))
        audit_note(session, "token.issued", user.username, f"token {row.id}", now,
                   name=row.name, expires_at=row.expires_at.isoformat()
                   if row.expires_at else None)
        session.commit()
    assert row.id is not None
    return TokenOut(id=row.id, token=token, name=row.name, expires_at=row.expires_at)


@router.get("/tokens", response_model=list[TokenSummaryOut])
def list_tokens(user: UserDep, session: ReadSessionDep) -> list[TokenSummaryOut]:
    rows = queries.api_tokens(session, user.username)
    return [TokenSummaryOut(id=r.id or 0, name=r.name, created_at=r.created_at,
                            expires_at=r.expires_at) for r in rows]


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], user: UserDep,
                 runtime: RuntimeDep, now: NowDep) -> None:
    with runtime.db.session() as session:
        if not service.revoke_api_token(session, token_id, user.username):
            raise Problem(404, f"No API token {token_id} of {user.username}")
        audit_note(session, "token.revoked", user.username, f"token {token_id}", now)
        session.commit()
