"""SQLModel tables. Alembic (``migrations/``) creates them; nothing calls ``create_all``.

``event_log`` is the source of truth and is append-only: the store has no function that
updates or deletes an event. ``instance``, ``task``, ``node_visit`` and ``cc`` are
projections of it, written in the same transaction as the events and rebuildable from
them (``engine.store.projections``). The org tables (``app_user``, ``api_token``,
``out_of_office``) and ``idempotency_record`` are plain state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engine.store.types import AwareDateTime, JSONDoc

# Named constraints, so migrations can refer to them on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = SQLModel.metadata
RUNNING_SQL = "status IN ('running', 'returned')"
PENDING_SQL = "status = 'pending'"


def _json(nullable: bool = False) -> Any:
    return Field(sa_column=sa.Column(JSONDoc, nullable=nullable))


def _time(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=AwareDateTime, nullable=nullable, index=index)


class DefinitionVersion(SQLModel, table=True):
    __tablename__ = "definition_version"
    __table_args__ = (sa.UniqueConstraint("key", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100)
    version: int
    digest: str = Field(max_length=64)  # sha256 of the YAML source
    source: str = Field(sa_type=sa.Text)
    title: str = Field(default="", max_length=300)
    created_at: datetime = _time()
    created_by: str | None = Field(default=None, max_length=100)


class RetiredProcess(SQLModel, table=True):
    """A process no new request may start (its running requests finish); the row goes
    when it is brought back. Who did either is in the audit log."""

    __tablename__ = "retired_process"
    key: str = Field(primary_key=True, max_length=100)
    retired_at: datetime = _time()
    retired_by: str | None = Field(default=None, max_length=100)


class Instance(SQLModel, table=True):
    __tablename__ = "instance"
    __table_args__ = (
        sa.Index("ix_instance_initiator_started", "initiator", "started_at"),
        sa.Index("ix_instance_definition_started", "definition_key", "started_at"),
        sa.Index("ix_instance_status_started", "status", "started_at"),
        # lists: every request newest first; the board's running requests (partial)
        sa.Index("ix_instance_started", "started_at", "id"),
        sa.Index("ix_instance_title", "title", "id"),
        sa.Index("ix_instance_running_started", "started_at", "id",
                 postgresql_where=sa.text(RUNNING_SQL), sqlite_where=sa.text(RUNNING_SQL)),
        # on PostgreSQL also ix_instance_search, a pg_trgm GIN index over
        # engine.queries.SEARCH_SQL, made by migration 0010 (an expression index)
    )
    id: UUID = Field(primary_key=True)
    definition_key: str = Field(max_length=100)
    definition_version: int
    title: str = Field(default="", max_length=300)
    initiator: str = Field(max_length=100)
    status: str = Field(max_length=20)
    outcome: str | None = Field(default=None, max_length=20)
    node: str | None = Field(default=None, max_length=100)  # the current node
    node_since: datetime | None = _time(nullable=True)  # when the current node was entered
    data: dict[str, Any] = _json()
    started_at: datetime = _time()
    finished_at: datetime | None = _time(nullable=True)
    updated_at: datetime = _time()  # time of the last event
    seq: int  # number of events in the log
    # The request number people quote (SO-2026-00123): plain state, not a projection of
    # the log; given once at the start (engine.store.numbers) and kept by ``rebuild``.
    number: str | None = Field(default=None, max_length=40, unique=True, index=True)
    # title and form values, lower-cased (projections.search_text): what list search reads
    search: str = Field(default="", sa_type=sa.Text)


class NumberSequence(SQLModel, table=True):
    """The last request number given per prefix and year (engine.store.numbers)."""

    __tablename__ = "number_sequence"
    prefix: str = Field(primary_key=True, max_length=10)
    year: int = Field(primary_key=True)
    last: int = 0


class Task(SQLModel, table=True):
    __tablename__ = "task"
    __table_args__ = (
        # The inbox: a user's pending tasks by due time.
        sa.Index("ix_task_inbox", "assignee", "status", "due_at"),
        sa.Index("ix_task_definition_node", "definition_key", "node", "status"),
        # overdue: pending tasks by due time (partial)
        sa.Index("ix_task_pending_due", "due_at", "instance_id",
                 postgresql_where=sa.text(PENDING_SQL), sqlite_where=sa.text(PENDING_SQL)),
    )
    id: UUID = Field(primary_key=True)
    instance_id: UUID = Field(foreign_key="instance.id", index=True)
    definition_key: str = Field(max_length=100)
    node: str = Field(max_length=100)
    visit: int
    assignee: str = Field(max_length=100)
    rule: str = Field(default="", max_length=200)
    status: str = Field(max_length=20)  # pending | waiting | done | cancelled
    created_at: datetime = _time()
    due_at: datetime | None = _time(nullable=True)
    decided_at: datetime | None = _time(nullable=True)
    action: str | None = Field(default=None, max_length=20)
    added_by: str | None = Field(default=None, max_length=100)


class EventRecord(SQLModel, table=True):
    __tablename__ = "event_log"
    __table_args__ = (sa.UniqueConstraint("instance_id", "seq"),)
    id: int | None = Field(default=None, sa_type=sa.BigInteger().with_variant(sa.Integer(),
                           "sqlite"), primary_key=True)
    instance_id: UUID
    seq: int  # 1, 2, ... per instance; a clash means two writers raced: ConcurrentUpdate
    kind: str = Field(max_length=64)
    payload: dict[str, Any] = _json()
    at: datetime = _time(index=True)


class NodeVisit(SQLModel, table=True):
    __tablename__ = "node_visit"
    __table_args__ = (
        sa.Index("ix_node_visit_definition_node", "definition_key", "node", "entered_at"),
        sa.Index("ix_node_visit_decided_by", "decided_by", "decided_at"),
    )
    instance_id: UUID = Field(foreign_key="instance.id", primary_key=True)
    node: str = Field(max_length=100, primary_key=True)
    visit: int = Field(primary_key=True)
    definition_key: str = Field(max_length=100)
    definition_version: int
    kind: str = Field(max_length=20)  # approval | notify | final | fork | service
    entered_seq: int = 0  # seq of the NodeEntered event: orders visits entered at one time
    entered_at: datetime = _time()
    decided_at: datetime | None = _time(nullable=True)
    left_at: datetime | None = _time(nullable=True)
    outcome: str | None = Field(default=None, max_length=20)
    decided_by: str | None = Field(default=None, max_length=100)
    comment_count: int = 0


class CarbonCopy(SQLModel, table=True):
    """A notify node copied an instance to ``username`` ("copied to me")."""

    __tablename__ = "cc"
    __table_args__ = (sa.Index("ix_cc_username_at", "username", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    instance_id: UUID = Field(foreign_key="instance.id", index=True)
    username: str = Field(max_length=100)
    node: str = Field(max_length=100)
    at: datetime = _time()


class AppUser(SQLModel, table=True):
    __tablename__ = "app_user"
    username: str = Field(primary_key=True, max_length=100)
    name: str = Field(default="", max_length=200)
    name_zh: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=300)
    manager: str | None = Field(default=None, max_length=100)
    roles: list[str] = _json()
    is_admin: bool = False
    is_process_owner: bool = False
    password_hash: str | None = Field(default=None, max_length=300)
    locale: str = Field(default="en", max_length=20)
    # Raised by every password change or reset: access tokens carry the value they were
    # issued under, and one issued under an earlier value is refused.
    token_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    unit: str | None = Field(default=None, max_length=100)  # the org unit they belong to
    # Set when an org sync finds the user gone: they leave the directory (no routing, no
    # sign-in) but the row stays, so their history keeps its names.
    left_at: datetime | None = _time(nullable=True)


class OrgUnit(SQLModel, table=True):
    """An org unit (region, department, store): its parent unit and its head."""

    __tablename__ = "org_unit"
    id: str = Field(primary_key=True, max_length=100)
    name: str = Field(default="", max_length=200)
    name_zh: str | None = Field(default=None, max_length=200)
    kind: str = Field(default="", max_length=50)
    parent: str | None = Field(default=None, max_length=100)
    head: str | None = Field(default=None, max_length=100)


class OrgVersion(SQLModel, table=True):
    """One row: a number raised by triggers whenever a column of the directory changes
    (users, roles, units; migration 0022), so a cached directory is checked by one read."""

    __tablename__ = "org_version"
    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_type=sa.BigInteger)


class OrgRole(SQLModel, table=True):
    """A role declared in the org directory (roles held by users need no row here)."""

    __tablename__ = "org_role"
    name: str = Field(primary_key=True, max_length=100)
    description: str = Field(default="", max_length=300)
    name_zh: str | None = Field(default=None, max_length=100)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, index=True)
    name: str = Field(default="", max_length=200)
    token_hash: str = Field(max_length=200, unique=True)
    created_at: datetime = _time()
    expires_at: datetime | None = _time(nullable=True)
    revoked: bool = False


class OutOfOffice(SQLModel, table=True):
    __tablename__ = "out_of_office"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, index=True)
    delegate_to: str = Field(max_length=100)
    starts_at: datetime = _time()
    ends_at: datetime = _time()


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (sa.UniqueConstraint("key", "username"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    username: str = Field(max_length=100)
    fingerprint: str = Field(max_length=64)  # sha256 of the request
    status_code: int
    response: dict[str, Any] = _json()
    created_at: datetime = _time(index=True)


__all__ = ["ApiToken", "AppUser", "CarbonCopy", "DefinitionVersion", "EventRecord",
           "IdempotencyRecord", "Instance", "NodeVisit", "NumberSequence", "OrgRole",
           "OrgVersion", "OutOfOffice", "Task", "metadata"]
