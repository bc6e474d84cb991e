"""Line and column lookup in a ruamel.yaml round-trip document (1-based)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

Path = tuple[str | int, ...]


def position(doc: Any, path: Path, *, key: bool = False) -> tuple[int, int]:
    """Where the value at ``path`` starts (or its key, with ``key=True``). Falls back to
    the deepest existing parent when the path does not exist."""
    line, col = 1, 1
    node = doc
    for i, part in enumerate(path):
        lc = getattr(node, "lc", None)
        last = i == len(path) - 1
        try:
            if isinstance(node, Mapping) and part in node:
                if lc is not None:
                    pos = lc.key(part) if (key and last) else lc.value(part)
                    line, col = pos[0] + 1, pos[1] + 1
                node = node[part]
            elif isinstance(node, Sequence) and isinstance(part, int) and part < len(node):
                if lc is not None:
                    pos = lc.item(part)
                    line, col = pos[0] + 1, pos[1] + 1
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    if not path and getattr(doc, "lc", None) is not None:
        line, col = doc.lc.line + 1, doc.lc.col + 1
    return line, col


def plain(value: Any) -> Any:
    """A JSON-like copy: plain dict/list/str/int/float/bool/None (dates become ISO text)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


__all__ = ["Path", "plain", "position"]
