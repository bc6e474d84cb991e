"""Reading YAML safely (``read_yaml``) and line/column lookup in a ruamel.yaml
round-trip document (1-based).

``read_yaml`` refuses anchors and aliases (``&name``, ``*name``: an alias bomb of a few
hundred bytes expands to gigabytes), nesting deeper than the limit, oversized text, more
values than the limit (ruamel's round-trip reader costs about a millisecond per value)
and characters YAML does not allow, each as a ``DefinitionInvalid`` at its line and column.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import ScannerError

from engine.core.errors import DefinitionError, DefinitionInvalid
from engine.core.explain import yaml_problem
from engine.core.limits import DEFAULT, Limits

Path = tuple[str | int, ...]


class _BoundedComposer(Composer):
    """A composer that refuses anchors and aliases before anything is expanded, and
    stops after ``max_nodes`` nodes (ruamel reads lazily: the rest is never scanned)."""

    max_nodes = DEFAULT.max_yaml_nodes

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ComposerError(None, None, "YAML anchors and aliases (&name, *name) are "
                                "not allowed", event.start_mark)
        self.nodes = getattr(self, "nodes", 0) + 1
        if self.nodes > self.max_nodes:
            raise ComposerError(None, None, f"more than {self.max_nodes} YAML values",
                                event.start_mark)
        return super().compose_node(parent, index)


@functools.cache  # one class per scanner and limit, not one per file read
def _bounded_scanner(base: type, max_depth: int) -> type:
    """``base`` refusing a ``[`` or ``{`` that opens more than ``max_depth`` flow levels.
    The composer's own depth check comes too late for flow nesting: while a flow key may
    still be pending, ruamel's scanner reads up to 1,024 characters ahead and re-checks
    every open level's pending key on each token, so ``[[[[...`` costs about a second of
    CPU before the composer sees depth 41. Flow levels alone deeper than the limit are
    deeper than the whole-document limit too, so this refuses nothing the composer
    would have accepted."""

    class Bounded(base):  # type: ignore[misc]
        def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:
            if self.flow_level >= max_depth:
                raise ScannerError(None, None, "maximum depth of flow collections",
                                   self.reader.get_mark())
            super().fetch_flow_collection_start(TokenClass, to_push)

    return Bounded


def read_yaml(text: str, source: str = "<string>", limits: Limits = DEFAULT) -> Any:
    """The round-trip document of ``text``; raise DefinitionInvalid (with a position)
    when it is too large, too deep, uses aliases or is not YAML."""
    def fail(line: int, column: int, message: str) -> DefinitionInvalid:
        return DefinitionInvalid([DefinitionError(source, line, column, message)])

    if len(text) > limits.max_yaml_bytes:
        raise fail(1, 1, f"the file is larger than {limits.max_yaml_bytes} bytes")
    yaml = YAML(typ="rt")

    class _Composer(_BoundedComposer):
        max_nodes = limits.max_yaml_nodes

    yaml.Composer = _Composer
    yaml.Scanner = _bounded_scanner(yaml.Scanner, limits.max_yaml_depth)
    yaml.max_depth = limits.max_yaml_depth
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "expected ',' or" in str(exc.problem) and exc.context_mark is not None:
            mark = exc.context_mark  # where the unclosed [ or { opened, not the line after
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = str(exc.problem or exc.context)
        if problem.startswith("maximum depth"):
            problem = f"nested deeper than {limits.max_yaml_depth} levels"
        elif not problem.startswith(("YAML anchors", "more than")):
            problem = yaml_problem(problem, text, line)
        raise fail(line, col, problem) from None
    except ReaderError as exc:
        line, col = _line_col(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[0])
        raise fail(line, col, f"YAML cannot contain the character U+{char:04X}") from None
    except (YAMLError, RecursionError, ValueError) as exc:
        raise fail(1, 1, f"not readable YAML: {type(exc).__name__}") from None


def _line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:max(offset, 0)]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


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


__all__ = ["Path", "plain", "position", "read_yaml"]
