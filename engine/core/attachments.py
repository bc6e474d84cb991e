"""Attachments in the core: who may attach, the events an upload causes, safe file names,
and the form fields that hold an attachment. Pure: the bytes never come here; the store
keeps them (``engine.store.attachment_blobs``) and the service checks them
(``engine.attachments``) before a command names them.

A form declares an attachment field as a string of ``format: attachment`` (its value
is the id of an uploaded file); ``required`` makes one mandatory, as for any field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from engine.core import commands as cmds
from engine.core import events as ev
from engine.core.errors import EngineError, FormInvalid, NotPermitted, TransitionNotAllowed
from engine.core.flow import Flow

FORMAT = "attachment"  # the JSON Schema ``format`` of an attachment field
MAX_NAME = 200  # characters of a stored file name


class AttachmentTooLarge(EngineError):
    """A file (or the whole upload) is over the size limit: HTTP 413."""

    def __init__(self, name: str, size: int, limit: int) -> None:
        self.name, self.size, self.limit = name, size, limit
        self.errors = [("/files", f"{name} is {size:,} bytes; the limit is {limit:,} bytes")]
        super().__init__(f"{name} is too large: {size:,} bytes, the limit is {limit:,} bytes")


class AttachmentTypeRefused(EngineError):
    """A file whose type is not accepted, or whose content is not what its name says:
    HTTP 415."""

    def __init__(self, name: str, found: str, accepted: tuple[str, ...]) -> None:
        self.name, self.found, self.accepted = name, found, accepted
        self.errors = [("/files", f"{name}: {found}")]
        super().__init__(f"{name} cannot be attached: {found}; accepted types: "
                         f"{', '.join(accepted)}")


def attachment_fields(schema: Mapping[str, Any]) -> list[str]:
    """The top-level form fields that hold an attachment (``format: attachment``)."""
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return []
    return [name for name, sub in props.items()
            if isinstance(sub, Mapping) and sub.get("format") == FORMAT]


_UNSAFE = re.compile(r'[\x00-\x1f\x7f"*:<>?|\\/]')


def safe_name(name: str) -> str:
    """A file name safe to store and to send back: the last path part only (no folders,
    no ``..``), no control or reserved characters, no leading dots, NFC, at most
    ``MAX_NAME`` characters with the extension kept; ``file`` when nothing is left."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    base = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
    base = _UNSAFE.sub("_", base).strip().lstrip(".").strip()
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        ext = ext[:16] if dot else ""
        base = (stem if dot else base)[:MAX_NAME - len(ext) - 1] + (("." + ext) if ext else "")
    return base or "file"


def attach(flow: Flow, cmd: cmds.AddAttachments, allowed: bool) -> None:
    """The events of ``AddAttachments``: the comment (if any), then one
    ``AttachmentAdded`` per file. ``allowed``: whether the actor may comment on the
    request (``decide.may_comment``, the same people who may view it)."""
    s = flow.state
    if not allowed:
        raise NotPermitted(cmd.actor, "attach a file", "not involved in this request")
    if s.finished:
        raise TransitionNotAllowed(s.node, "attach", f"the request is {s.status}")
    if not cmd.files:
        raise FormInvalid([("/files", "choose at least one file")])
    for i, f in enumerate(cmd.files):
        if f.size <= 0:
            raise FormInvalid([(f"/files/{i}", f"{f.name} is empty")])
        if safe_name(f.name) != f.name:
            raise FormInvalid([(f"/files/{i}", f"{f.name!r} is not a safe file name")])
    if cmd.comment and cmd.comment.strip():
        flow.emit(ev.CommentAdded(instance_id=s.id, at=flow.now, actor=cmd.actor,
                                  text=cmd.comment.strip(), node=s.node))
    for f in cmd.files:
        flow.emit(ev.AttachmentAdded(
            instance_id=s.id, at=flow.now, actor=cmd.actor, attachment_id=f.attachment_id,
            name=f.name, size=f.size, content_type=f.content_type, sha256=f.sha256,
            replaces=f.replaces, field=f.field, node=s.node))


__all__ = ["FORMAT", "MAX_NAME", "AttachmentTooLarge", "AttachmentTypeRefused", "attach",
           "attachment_fields", "safe_name"]
