"""Errors in plain words, and only the ones that matter.

``yaml_problem`` turns a YAML parser's message ("expected <block end>, but found
'<block mapping start>'") into what a person should do about it. ``root_causes`` takes
every error found in a definition and drops the ones another error explains: a misspelt
step name makes each route to it an "unknown target", and then every step behind it
"cannot be reached"; a misspelt key makes a step "need" the key it meant. The dropped
ones come back on the next check if they were real. Both the CLI (``signoff validate``)
and the API give the same list, since both call ``load_definition``.

The messages are matched by their wording, which ``checks.py``, ``loader.py`` and
``yamlpos.py`` own; the broken corpus in tests/engine/broken pins both sides.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from engine.core.errors import DefinitionError

# What ruamel.yaml says (its ``problem``), and what it usually means. Order matters:
# the first pattern that matches wins.
_YAML: tuple[tuple[str, str], ...] = (
    (r"expected <block end>, but found '<block mapping start>'",
     "this line is indented differently from the lines above it: keys of one mapping "
     "must start in the same column"),
    (r"expected <block end>, but found '<block sequence start>'",
     "this list is indented differently from the lines above it: line up each '- ' item"),
    (r"expected <block end>, but found '-'",
     "a '- ' list item where a key was expected: indent the list under its key"),
    (r"expected <block end>, but found",
     "this line is indented differently from the lines above it"),
    (r"did not find expected key",
     "this line does not line up with the keys above it: check its indentation"),
    (r"did not find expected '-' indicator",
     "this line does not line up with the '- ' items above it: check its indentation"),
    (r"mapping values are not allowed here",
     "a second ':' on one line: put text that contains ': ' in quotes, or start the "
     "value on its own indented line"),
    (r"could not find expected ':'",
     "a key without ':' (or a text running over lines that should be in quotes)"),
    (r"found character '\\t' that cannot start any token",
     "a tab character: YAML indents with spaces only"),
    (r"found a tab character",
     "a tab character: YAML indents with spaces only"),
    (r"found unexpected end of stream",
     "a quote is opened and never closed"),
    (r"expected ',' or '\]'",
     "a [ ... ] list is not closed with ']' or misses a ','"),
    (r"expected ',' or '}'",
     "a { ... } mapping is not closed with '}' or misses a ','"),
    (r"found duplicate key \"?([^\"]*)\"?",
     "the key '{0}' appears twice in the same mapping: keep one"),
    (r"found character '(.)' that cannot start any token",
     "the character '{0}' cannot start a value here: put the value in quotes"),
    (r"found unknown escape character",
     "an unknown backslash escape in a double-quoted text: write \\\\ for a backslash, "
     "or use single quotes"),
)


def yaml_problem(problem: str, text: str = "", line: int = 0) -> str:
    """A parser message in plain words (the parser's own words kept at the end).
    ``line`` (1-based) is where the parser stopped in ``text``."""
    said = f"(YAML: {problem.splitlines()[0]})"
    if "mapping values are not allowed here" in problem and _continues(text, line):
        return ("this line is indented more than the one above it, so YAML reads it as "
                f"the rest of that line's value: line it up with the keys above {said}")
    for pattern, plain in _YAML:
        m = re.search(pattern, problem)
        if m:
            return f"{plain.replace('{0}', m[1] if m.groups() else '')} {said}"
    return f"YAML syntax error: {problem}"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _continues(text: str, line: int) -> bool:
    """Is ``line`` indented under a ``key: value`` line (so read as that value's rest)?"""
    lines = text.splitlines()
    if not 1 < line <= len(lines):
        return False
    above = next((s for s in reversed(lines[:line - 1]) if s.strip()
                  and not s.lstrip().startswith("#")), "")
    key_value = re.match(r"^\s*(- )?[\w-]+:\s+\S", above) is not None
    return key_value and _indent(lines[line - 1]) > _indent(above)


_UNKNOWN_TARGET = re.compile(r"^unknown target node '([^']+)'$")
_UNKNOWN_KEY = re.compile(r"^unknown key '([^']+)' in (.+?) \(allowed: ([^)]*)\)$")
_NEEDS = re.compile(r"^(?:approval|notify) node '([^']+)' needs '(\w+)")
_REQUIRED = re.compile(r"^([\w.]+|the definition): '(\w+)' is a required property$")
_GRAPH = re.compile(r"^node '[^']+' cannot be reached from start|"
                    r"^no final node can be reached from |"
                    r"^return target '[^']+' is not an earlier approval node")
_UNREACHED = re.compile(r"^node '([^']+)' cannot be reached from start")
_NOT_ONE_OF = re.compile(r"^(.+): '([^']*)' is not one of \[(.*)\]$")
_ROUTING_KEYS = {"on", "next", "final", "start", "nodes", "approve"}


def _close(word: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def root_causes(errors: Sequence[DefinitionError], data: Any
                ) -> tuple[list[DefinitionError], int]:
    """``errors`` without the follow-on ones, with "did you mean" where a name is close
    to a known one; and how many were dropped."""
    nodes = data.get("nodes") if isinstance(data, Mapping) else None
    node_ids = [str(k) for k in nodes] if isinstance(nodes, Mapping) else []
    unreached = {m[1]: e for e in errors if (m := _UNREACHED.match(e.message))}
    misspelt = _misspelt_steps(errors, node_ids, unreached)
    out: list[DefinitionError] = []
    graph_broken = False
    told: set[str] = set()
    meant: set[tuple[str, str]] = set()  # (where, key) a misspelt key was probably meant
    for e in errors:
        if m := _UNKNOWN_TARGET.match(e.message):
            graph_broken = True
            if m[1] in misspelt:  # one error at the step, in place of every route
                if m[1] in told:
                    continue
                told.add(m[1])
                e = misspelt[m[1]]
            elif guess := _close(m[1], node_ids):
                e = _with(e, f"{e.message}: no step has that name (did you mean '{guess}'?)")
        elif m := _UNKNOWN_KEY.match(e.message):
            allowed = [a.strip() for a in m[3].split(",")]
            if guess := _close(m[1], allowed):
                meant.add((m[2], guess))
                graph_broken |= guess in _ROUTING_KEYS
                e = _with(e, f"unknown key '{m[1]}' in {m[2]} (did you mean '{guess}'?)")
        elif (m := _NOT_ONE_OF.match(e.message)) and (guess := _close(m[2], _quoted(m[3]))):
            e = _with(e, f"{m[1]}: '{m[2]}' is not one of {', '.join(_quoted(m[3]))} "
                         f"(did you mean '{guess}'?)")
        out.append(e)
    kept: list[DefinitionError] = []
    for e in out:
        if graph_broken and _GRAPH.match(e.message):
            continue
        if (m := _NEEDS.match(e.message)) and (f"nodes.{m[1]}", m[2]) in meant:
            continue
        if (m := _REQUIRED.match(e.message)) and (m[1], m[2]) in meant:
            continue
        kept.append(e)
    return kept, len(errors) - len(kept)


def _misspelt_steps(errors: Sequence[DefinitionError], node_ids: list[str],
                    unreached: Mapping[str, DefinitionError]
                    ) -> dict[str, DefinitionError]:
    """Routes to 'X' where no step X exists, and a step named almost X that nothing
    reaches: the step's name (or the routes') is misspelt. One error at that step."""
    routes: dict[str, list[DefinitionError]] = {}
    for e in errors:
        if m := _UNKNOWN_TARGET.match(e.message):
            routes.setdefault(m[1], []).append(e)
    out: dict[str, DefinitionError] = {}
    for target, found in routes.items():
        step = _close(target, list(unreached))
        if step is None or step not in node_ids:
            continue
        lines = ", ".join(str(e.line) for e in found)
        where = unreached[step]
        out[target] = _with(where, f"step '{step}' is never reached, and {len(found)} "
                            f"route(s) go to '{target}', which is no step (line {lines}): "
                            "one of the two names is misspelt")
    return out
def _quoted(items: str) -> list[str]:
    return re.findall(r"'([^']*)'", items)


def _with(e: DefinitionError, message: str) -> DefinitionError:
    return DefinitionError(e.source, e.line, e.column, message)


__all__ = ["root_causes", "yaml_problem"]
