"""Checking uploaded files before anything is stored: size and count limits, and the
type read from the content (puremagic), never from what the client says.

``Policy`` holds the limits and the accepted types (by file extension, each with the
one content type it is stored and served as). A file is accepted when its extension is
accepted and its bytes are that kind of file; text types (``.txt``, ``.csv``) must be
UTF-8 and must not look like markup a browser would run. Anything refused raises
``AttachmentTooLarge`` (413), ``AttachmentTypeRefused`` (415) or ``FormInvalid`` (422)
naming the file and the limit, before a byte is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from uuid import UUID, uuid4

import puremagic

from engine.core.attachments import AttachmentTooLarge, AttachmentTypeRefused, safe_name
from engine.core.commands import AttachedFile
from engine.core.errors import FormInvalid

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


def content_type(name: str, data: bytes, policy: Policy) -> str:
    """The type ``data`` is stored as, read from its bytes; AttachmentTypeRefused when
    its extension is not accepted or the bytes are something else."""
    ext = _extension(name)
    if ext not in policy.types or ext not in TYPES:
        raise AttachmentTypeRefused(name, f"files of type .{ext or '(none)'} are not "
                                    "accepted", policy.accepted())
    head = data[:_SNIFF]
    if _looks_like_markup(head):
        raise AttachmentTypeRefused(name, "the content is web markup (HTML, SVG or XML)",
                                    policy.accepted())
    if ext in _TEXT:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise AttachmentTypeRefused(name, f"a .{ext} file must be UTF-8 text",
                                        policy.accepted()) from None
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


def check(uploads: list[tuple[str, bytes]], policy: Policy, *,
          replaces: UUID | None = None, field_name: str | None = None) -> list[AttachedFile]:
    """Each upload ``(client file name, bytes)`` checked and described, in order, with a
    new id and a safe name; nothing is stored here."""
    if not uploads:
        raise FormInvalid([("/files", "choose at least one file")])
    if len(uploads) > policy.max_files:
        raise FormInvalid([("/files", f"{len(uploads)} files in one upload; the limit is "
                            f"{policy.max_files}")])
    if replaces is not None and len(uploads) != 1:
        raise FormInvalid([("/files", "a new version replaces one file: upload one")])
    out = []
    for i, (raw_name, data) in enumerate(uploads):
        name = safe_name(raw_name)
        if len(data) > policy.max_bytes:
            raise AttachmentTooLarge(name, len(data), policy.max_bytes)
        if not data:
            raise FormInvalid([(f"/files/{i}", f"{name} is empty")])
        kind = content_type(name, data, policy)
        out.append(AttachedFile(attachment_id=uuid4(), name=name, size=len(data),
                                content_type=kind, sha256=hashlib.sha256(data).hexdigest(),
                                replaces=replaces, field=field_name))
    return out


__all__ = ["TYPES", "Policy", "check", "content_type"]
