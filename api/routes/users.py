"""The signed-in user, the user list (for pickers) and out-of-office delegation."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from sqlmodel import Session

from api.deps import AdminDep, NowDep, ReadSessionDep, RuntimeDep, UserDep
from api.openapi import SIGNED_IN, problem_responses
from api.problems import Problem
from api.schemas import ChangePasswordIn, OutOfOfficeIn, OutOfOfficeOut, PasswordIn, UserOut
from api.tokens import hash_password, verify_password
from api.views import user_out
from engine import queries, service, signin
from engine.core.directory import User
from engine.store import OutOfOffice

router = APIRouter(tags=["users"], responses=problem_responses(*SIGNED_IN, 403, 404))


@router.get("/me", response_model=UserOut)
def me(user: UserDep) -> UserOut:
    return user_out(user)


@router.get("/users", response_model=list[UserOut])
def list_users(user: UserDep, session: ReadSessionDep) -> list[UserOut]:
    return [user_out(u) for u in queries.users(session)]


@router.post("/me/password", status_code=204)
def change_password(body: ChangePasswordIn, user: UserDep, runtime: RuntimeDep,
                    now: NowDep) -> None:
    """Change one's own password. Every token issued before (this one too, and API
    tokens) stops working: sign in again."""
    with runtime.db.session(write=False) as session:
        _, current = queries.account(session, user.username)
    # Hash outside the write transaction (argon2 is slow on purpose).
    if not verify_password(current, body.current_password):
        raise Problem(422, "The current password is wrong", errors=[
            {"pointer": "/current_password", "message": "wrong password"}])
    new_hash = hash_password(body.new_password)
    with runtime.db.session() as session:
        signin.set_password_hash(session, user.username, new_hash, now, actor=user.username,
                                 action="password.changed")


@router.post("/users/{username}/password", status_code=204)
def set_password(username: str, body: PasswordIn, admin: AdminDep, runtime: RuntimeDep,
                 now: NowDep) -> None:
    """Administrators set a user's password (users themselves come from the directory);
    the user's earlier tokens, API tokens included, stop working."""
    new_hash = hash_password(body.password)
    with runtime.db.session() as session:
        if not signin.set_password_hash(session, username, new_hash, now,
                                        actor=admin.username, action="password.reset"):
            raise Problem(404, f"No user {username!r} in the directory")


def _ooo_out(row: OutOfOffice) -> OutOfOfficeOut:
    return OutOfOfficeOut(username=row.username, delegate_to=row.delegate_to,
                          starts_at=row.starts_at, ends_at=row.ends_at)


@router.get("/me/out-of-office", response_model=OutOfOfficeOut | None)
def get_out_of_office(user: UserDep, session: ReadSessionDep, now: NowDep
                      ) -> OutOfOfficeOut | None:
    """The current or next out-of-office period, or null."""
    row = queries.out_of_office(session, user.username, now)
    return _ooo_out(row) if row else None


@router.post("/me/out-of-office", response_model=OutOfOfficeOut)
def set_out_of_office(body: OutOfOfficeIn, user: UserDep, runtime: RuntimeDep, now: NowDep
                      ) -> OutOfOfficeOut:
    """Hand new tasks to ``delegate_to`` from ``starts_at`` to ``ends_at`` (replaces any
    current or future period)."""
    with runtime.db.session() as session:
        return _set_out_of_office(session, body, user, now)


def _set_out_of_office(session: Session, body: OutOfOfficeIn, user: User, now: datetime
                       ) -> OutOfOfficeOut:
    errors = []
    if body.delegate_to == user.username:
        errors.append({"pointer": "/delegate_to", "message": "cannot delegate to yourself"})
    elif queries.account(session, body.delegate_to)[0] is None:
        errors.append({"pointer": "/delegate_to",
                       "message": f"no user {body.delegate_to!r}"})
    if body.starts_at.tzinfo is None or body.ends_at.tzinfo is None:
        errors.append({"pointer": "/starts_at", "message": "times need a UTC offset"})
    elif body.ends_at <= body.starts_at:
        errors.append({"pointer": "/ends_at", "message": "must be after starts_at"})
    elif body.ends_at <= now:
        errors.append({"pointer": "/ends_at", "message": "must be in the future"})
    if errors:
        raise Problem(422, f"{len(errors)} field(s) are invalid", errors=errors)
    return _ooo_out(service.set_out_of_office(session, user.username, body.delegate_to,
                                              body.starts_at, body.ends_at, now))


@router.delete("/me/out-of-office", status_code=204)
def clear_out_of_office(user: UserDep, runtime: RuntimeDep, now: NowDep) -> None:
    with runtime.db.session() as session:
        service.clear_out_of_office(session, user.username, now)
