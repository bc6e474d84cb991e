"""Conditional GET: an ``ETag`` on a page, and ``304 Not Modified`` when the client's
``If-None-Match`` names it still. The tag is a weak validator over everything the page
shows, computed by the route before it builds the page, so a match skips the building."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from fastapi import Request, Response

# Revalidate every time (the tag is cheap); private: the page is one caller's.
HEADERS = {"Cache-Control": "private, no-cache", "Vary": "Authorization, Accept-Language"}


def etag(parts: Iterable[object]) -> str:
    """A weak tag over the ``repr`` of each part."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\x00")
    return f'W/"{h.hexdigest()}"'


def not_modified(request: Request, tag: str) -> Response | None:
    """A 304 when ``If-None-Match`` names ``tag`` (or is ``*``), else None."""
    header = request.headers.get("if-none-match")
    if not header:
        return None
    wanted = tag.removeprefix("W/")
    if any(t.strip() in ("*", wanted) or t.strip().removeprefix("W/") == wanted
           for t in header.split(",")):
        return Response(status_code=304, headers={"ETag": tag, **HEADERS})
    return None


__all__ = ["HEADERS", "etag", "not_modified"]
