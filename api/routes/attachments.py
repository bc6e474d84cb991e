"""Attachments: upload files to a request (with an optional comment, or as a new version
of a file), stage a file for a form's attachment field, download a file.

Uploads are ``multipart/form-data``. Each file is streamed into the attachment store in
chunks and checked on the way (``engine.attachments``): 413 as soon as it passes the
size limit, 415 for a type not accepted or a file whose content is not what its name
says, 422 for an empty file or too many files, each naming the file and the limit; a
refused file leaves nothing behind, and memory stays flat whatever a file's size.
Downloads go to people who may view the request (its requester, holders past and
present, people copied, process owners and admins), always as an attachment with a safe
file name, the stored content type and ``nosniff``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import StreamingResponse

from api.deps import IdempotencyKeyDep, RuntimeDep
from api.openapi import SIGNED_IN, problem_responses
from api.problems import Problem
from api.runtime import Runtime
from api.schemas import AttachmentLimitsOut, AttachmentOut, InstanceOut
from api.unit_of_work import ReaderDep, WriterDep
from engine import attachments, service
from engine.core.commands import AttachedFile
from engine.store.attachment_blobs import Blobs, Incoming

router = APIRouter(tags=["attachments"],
                   responses=problem_responses(*SIGNED_IN, 403, 404, 409, 413, 415))


def _blobs(runtime: Runtime) -> Blobs:
    if runtime.blobs is None:
        raise Problem(503, "No attachment store is configured")
    return runtime.blobs


@contextmanager
def _received(runtime: Runtime, files: list[UploadFile], *, replaces: UUID | None = None,
              field: str | None = None) -> Iterator[list[tuple[AttachedFile, Incoming]]]:
    """The files streamed into the attachment store and checked on the way (413 as soon as
    one passes the size limit); whatever the block does not keep is thrown away."""
    received = attachments.receive(
        [attachments.Upload(f.filename or "file", f.file, f.size) for f in files],
        runtime.settings.attachment_policy(), _blobs(runtime),
        replaces=replaces, field_name=field)
    try:
        yield received
    finally:
        for _, incoming in received:
            incoming.discard()


@router.post("/instances/{instance_id}/attachments", response_model=InstanceOut)
def upload(instance_id: UUID, writer: WriterDep, runtime: RuntimeDep,
           key: IdempotencyKeyDep,
           files: Annotated[list[UploadFile], File(description="One or more files")],
           comment: Annotated[str | None, Form(max_length=20_000)] = None,
           replaces: Annotated[UUID | None, Form(
               description="The attachment this file is a new version of")] = None,
           ) -> InstanceOut:
    """Attach files to a request, optionally with a comment they belong to, or one file
    as a new version of an earlier one (which stays, with its history). Who may view the
    request may attach, while it runs."""
    with _received(runtime, files, replaces=replaces) as received, writer.open() as uow:
        state = service.attach(uow.session, uow.catalog, uow.directory, instance_id,
                               uow.user.username, received, uow.now,
                               comment=comment, idempotency_key=key)
        return uow.view(state)


@router.post("/attachments", response_model=AttachmentOut, status_code=201)
def stage(writer: WriterDep, runtime: RuntimeDep,
          file: Annotated[UploadFile, File(description="One file")],
          field: Annotated[str | None, Form(max_length=100)] = None) -> AttachmentOut:
    """Upload a file for a form's attachment field before the request is submitted; put
    the returned ``id`` in the field. It is attached when the request is started (or
    resubmitted) and can be downloaded by its uploader only until then."""
    with _received(runtime, [file], field=field) as (received,), writer.open() as uow:
        f = service.stage_attachment(uow.session, received, uow.user.username, uow.now)
        return AttachmentOut(id=f.attachment_id, name=f.name, size=f.size,
                             content_type=f.content_type, field=f.field,
                             actor=uow.user.username, at=uow.now,
                             url=f"/api/attachments/{f.attachment_id}")


@router.get("/attachments/limits", response_model=AttachmentLimitsOut)
def limits(runtime: RuntimeDep, uow: ReaderDep) -> AttachmentLimitsOut:
    """What an upload may be: the browser checks files against these before sending."""
    del uow  # signed in
    policy = runtime.settings.attachment_policy()
    return AttachmentLimitsOut(max_bytes=policy.max_bytes, max_files=policy.max_files,
                               types=list(policy.accepted()))


def _disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one (RFC 6266, 5987)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;%' else "_"
                       for c in name) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get("/attachments/{attachment_id}", response_class=StreamingResponse,
            responses={200: {"content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}},
                "description": "The file, with its stored content type"}})
def download(attachment_id: UUID, uow: ReaderDep, runtime: RuntimeDep) -> StreamingResponse:
    """The file, for people involved in its request."""
    row = service.attachment_for(uow.session, uow.directory, attachment_id,
                                 uow.user.username)
    blobs = _blobs(runtime)

    def body() -> Iterator[bytes]:
        yield from blobs.open(row.sha256)

    return StreamingResponse(body(), media_type=row.content_type, headers={
        "Content-Disposition": _disposition(row.name),
        "Content-Length": str(row.size),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    })


__all__ = ["router"]
