"""The ``attachment`` table: the metadata of every uploaded file; the bytes live in an
attachment store (``engine.store.attachment_blobs``), under their sha256.

A row is written in the transaction of the ``attachment_added`` event that references
it (``instance_id`` and ``seq`` set), or, for a file uploaded before its request exists
(a form's attachment field), staged by its uploader (``instance_id`` NULL) and then
claimed in the transaction that starts or resubmits the request. Nothing here deletes
or overwrites: a replaced file keeps its row, and the new version names it in
``replaces``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engine.core.commands import AttachedFile
from engine.core.errors import FormInvalid
from engine.store.types import AwareDateTime


class Attachment(SQLModel, table=True):
    __tablename__ = "attachment"
    __table_args__ = (
        sa.Index("ix_attachment_instance", "instance_id", "seq"),
        sa.Index("ix_attachment_staged", "uploaded_by", "instance_id"),
    )
    id: UUID = Field(primary_key=True)
    instance_id: UUID | None = Field(default=None)  # NULL: staged, not attached yet
    seq: int | None = Field(default=None)  # the attachment_added event's seq
    name: str = Field(max_length=255)
    size: int = Field(sa_type=sa.BigInteger)
    content_type: str = Field(max_length=100)
    sha256: str = Field(max_length=64)  # the key in the attachment store
    replaces: UUID | None = Field(default=None)
    field: str | None = Field(default=None, max_length=100)
    uploaded_by: str = Field(max_length=100)
    uploaded_at: datetime = Field(sa_type=AwareDateTime)


_table: sa.Table = Attachment.__table__  # type: ignore[attr-defined]


def _row(f: AttachedFile, actor: str, now: datetime, instance_id: UUID | None,
         seq: int | None) -> dict[str, Any]:
    return {"id": f.attachment_id, "instance_id": instance_id, "seq": seq, "name": f.name,
            "size": f.size, "content_type": f.content_type, "sha256": f.sha256,
            "replaces": f.replaces, "field": f.field, "uploaded_by": actor,
            "uploaded_at": now}


def stage(conn: sa.Connection, f: AttachedFile, actor: str, now: datetime) -> None:
    """Keep an upload that no request names yet (a form field's file)."""
    conn.execute(_table.insert(), _row(f, actor, now, None, None))


def record(conn: sa.Connection, instance_id: UUID, files: Sequence[AttachedFile],
           seqs: Sequence[int], actor: str, now: datetime) -> None:
    """Write the rows of files just attached; ``seqs``: each one's event seq. A staged
    file (same id) is claimed instead of inserted."""
    staged = {r[0] for r in conn.execute(
        sa.select(_table.c.id).where(_table.c.id.in_([f.attachment_id for f in files]),
                                     _table.c.instance_id.is_(None)))}
    new = [_row(f, actor, now, instance_id, seq) for f, seq in zip(files, seqs, strict=True)
           if f.attachment_id not in staged]
    if new:
        conn.execute(_table.insert(), new)
    for f, seq in zip(files, seqs, strict=True):
        if f.attachment_id in staged:
            done = conn.execute(_table.update().where(
                _table.c.id == f.attachment_id, _table.c.instance_id.is_(None)).values(
                instance_id=instance_id, seq=seq, field=f.field))
            if done.rowcount != 1:
                raise FormInvalid([(f"/{f.field or 'files'}",
                                    "this upload was attached elsewhere meanwhile")])


def claim_staged(conn: sa.Connection, ids: dict[str, UUID], actor: str
                 ) -> list[AttachedFile]:
    """The staged uploads a form names (``{field: id}``), each uploaded by ``actor`` and
    not attached yet; FormInvalid naming every field that is not such an upload."""
    rows = {r.id: r for r in conn.execute(
        sa.select(_table).where(_table.c.id.in_(list(ids.values()))))}
    errors, files = [], []
    for field, aid in ids.items():
        r = rows.get(aid)
        if r is None or r.uploaded_by != actor:
            errors.append((f"/{field}", "no such upload: upload the file again"))
        elif r.instance_id is not None:
            errors.append((f"/{field}", f"{r.name} is already attached to a request"))
        else:
            files.append(AttachedFile(attachment_id=r.id, name=r.name, size=r.size,
                                      content_type=r.content_type, sha256=r.sha256,
                                      field=field))
    if errors:
        raise FormInvalid(errors)
    return files


def get(conn: sa.Connection, attachment_id: UUID) -> Attachment | None:
    r = conn.execute(sa.select(_table).where(_table.c.id == attachment_id)).first()
    return Attachment.model_validate(dict(r._mapping)) if r is not None else None


def of_instance(conn: sa.Connection, instance_id: UUID) -> list[Attachment]:
    """Every attachment of a request, every version, in the order attached."""
    return [Attachment.model_validate(dict(r._mapping)) for r in conn.execute(
        sa.select(_table).where(_table.c.instance_id == instance_id)
        .order_by(_table.c.seq))]


def known_ids(conn: sa.Connection, ids: Iterable[UUID]) -> set[UUID]:
    return {r[0] for r in conn.execute(sa.select(_table.c.id).where(
        _table.c.id.in_(list(ids))))}


__all__ = ["Attachment", "claim_staged", "get", "known_ids", "of_instance", "record",
           "stage"]
