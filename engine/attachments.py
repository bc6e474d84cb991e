"""Receiving uploaded files: streamed into the attachment store chunk by chunk and checked
on the way (size and count limits, the type read from the first bytes with puremagic,
never from what the client says), the sha256 computed as the bytes pass.

``Policy`` holds the limits and the accepted types (by file extension, each with the
one content type it is stored and served as). A file is accepted when its extension is
accepted and its bytes are that kind of file; text types (``.txt``, ``.csv``) must be
UTF-8 and must not look like markup a browser would run. Anything refused raises
``AttachmentTooLarge`` (413, as soon as the bytes pass the limit),
``AttachmentTypeRefused`` (415) or ``FormInvalid`` (422) naming the file and the limit,
and what was received so far is thrown away: nothing is stored.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import BinaryIO
from uuid import UUID, uuid4

import puremagic

from engine.core.attachments import AttachmentTooLarge, AttachmentTypeRefused, safe_name
from engine.core.commands import AttachedFile
from engine.core.errors import FormInvalid
from engine.store.attachment_blobs import CHUNK, Blobs, Incoming

# extension -> the content type it is stored and served as. None of these is a type a
# browser runs (no HTML, SVG, XML, JavaScript): downloads are attachments anyway.
TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "zip": "application/zip",
    "txt": "text/plain",
    "csv": "text/csv",
}
_TEXT = {"txt", "csv"}
_OLE = {"doc", "xls"}  # old Office files share one container signature
_MARKUP = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<iframe", b"<body",
           b"<head", b"<object", b"<embed")
_SNIFF = 8192  # bytes read to tell the type


@dataclass(frozen=True)
class Policy:
    max_bytes: int = 20_000_000  # one file (20 MB)
    max_files: int = 10  # files in one upload
    types: tuple[str, ...] = field(default_factory=lambda: tuple(TYPES))  # extensions

    def accepted(self) -> tuple[str, ...]:
        return tuple(f".{t}" for t in self.types)


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _looks_like_markup(head: bytes) -> bool:
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return any(marker in low[:1024] for marker in _MARKUP)


def _extension_of(name: str, policy: Policy) -> str:
    """The accepted extension of ``name``; AttachmentTypeRefused when it is not one."""
    ext = _extension(name)
    if ext not in policy.types or ext not in TYPES:
        raise AttachmentTypeRefused(name, f"files of type .{ext or '(none)'} are not "
                                    "accepted", policy.accepted())
    return ext


def _sniffed(name: str, ext: str, head: bytes, policy: Policy) -> str:
    """The type a file is stored as, from its first bytes; AttachmentTypeRefused when
    they are something else (text is checked as UTF-8 over the whole file elsewhere)."""
    if _looks_like_markup(head):
        raise AttachmentTypeRefused(name, "the content is web markup (HTML, SVG or XML)",
                                    policy.accepted())
    if ext in _TEXT:
        return TYPES[ext]
    try:
        found = puremagic.magic_string(head, name)
    except puremagic.PureError:
        found = []
    expected = TYPES[ext]
    ok = any(m.mime_type == expected or m.extension.lstrip(".").lower() == ext
             or (ext in _OLE and m.extension.lstrip(".").lower() in _OLE) for m in found)
    if ext == "heic" and not ok:
        ok = head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1")
    if not ok:
        raise AttachmentTypeRefused(name, f"the content is not a .{ext} file",
                                    policy.accepted())
    return expected


def _stream_in(index: int, raw_name: str, source: BinaryIO, policy: Policy,
               incoming: Incoming, size_hint: int | None = None) -> tuple[str, str, int, str]:
    """Copy ``source`` into ``incoming`` chunk by chunk, checking as the bytes come: the
    size (AttachmentTooLarge as soon as it passes the limit), the type from the first
    bytes, UTF-8 for text; the sha256 is computed on the way. Returns the safe name, the
    content type, the size and the digest."""
    name = safe_name(raw_name)
    ext = _extension_of(name, policy)
    digest, head, kind, size = hashlib.sha256(), b"", "", 0
    text = codecs.getincrementaldecoder("utf-8")() if ext in _TEXT else None
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > policy.max_bytes:
            raise AttachmentTooLarge(name, max(size, size_hint or 0), policy.max_bytes)
        if not kind:
            head += chunk[:_SNIFF - len(head)]
            if len(head) >= _SNIFF:
                kind = _sniffed(name, ext, head, policy)
        if text is not None:
            _decode(text, name, ext, chunk, policy)
        digest.update(chunk)
        incoming.write(chunk)
    if not size:
        raise FormInvalid([(f"/files/{index}", f"{name} is empty")])
    if text is not None:
        _decode(text, name, ext, b"", policy, final=True)
    return name, kind or _sniffed(name, ext, head, policy), size, digest.hexdigest()


def _decode(decoder: codecs.IncrementalDecoder, name: str, ext: str, chunk: bytes,
            policy: Policy, *, final: bool = False) -> None:
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError:
        raise AttachmentTypeRefused(name, f"a .{ext} file must be UTF-8 text",
                                    policy.accepted()) from None


@dataclass(frozen=True)
class Upload:
    """One file of a request as it arrives: the client's name, a readable stream of its
    bytes and, when the client said it, its size."""
    name: str
    source: BinaryIO
    size: int | None = None


def receive(uploads: Sequence[Upload], policy: Policy, blobs: Blobs, *,
            replaces: UUID | None = None, field_name: str | None = None
            ) -> list[tuple[AttachedFile, Incoming]]:
    """Each upload streamed into ``blobs`` and checked on the way, in order: each file
    described (a new id, a safe name, its type, size and sha256) with its ``Incoming``,
    which the caller keeps once the upload is allowed and discards otherwise. Anything
    refused discards what was received and raises: nothing is stored."""
    if not uploads:
        raise FormInvalid([("/files", "choose at least one file")])
    if len(uploads) > policy.max_files:
        raise FormInvalid([("/files", f"{len(uploads)} files in one upload; the limit is "
                            f"{policy.max_files}")])
    if replaces is not None and len(uploads) != 1:
        raise FormInvalid([("/files", "a new version replaces one file: upload one")])
    out: list[tuple[AttachedFile, Incoming]] = []
    try:
        for i, up in enumerate(uploads):
            incoming = blobs.receive()
            out.append((_described(i, up, policy, incoming, replaces, field_name), incoming))
    except BaseException:
        for _, pending in out:
            pending.discard()
        raise
    return out


def _described(i: int, up: Upload, policy: Policy, incoming: Incoming,
               replaces: UUID | None, field_name: str | None) -> AttachedFile:
    try:
        name, kind, size, sha256 = _stream_in(i, up.name, up.source, policy, incoming,
                                              up.size)
    except BaseException:
        incoming.discard()
        raise
    return AttachedFile(attachment_id=uuid4(), name=name, size=size, content_type=kind,
                        sha256=sha256, replaces=replaces, field=field_name)


__all__ = ["TYPES", "Policy", "Upload", "receive"]
