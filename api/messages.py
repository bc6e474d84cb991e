"""Messages in the caller's language. The engine and the API say what went wrong in
English; ``to_zh`` finds the sentence in ``api.message_catalogue`` and says it in
Chinese (a message the catalogue does not know stays English rather than be guessed
at). ``localize_problem`` does that to a problem document's ``detail`` and each error's
``message``; its machine-readable fields (``type``, ``title``, ``status``, pointers,
lines) stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from api.message_catalogue import CATALOGUE, SAID, TERMS

_SLOT = re.compile(r"\{(\w+)(?::(int|ptr))?\}")
_KINDS = {None: r".+?", "int": r"-?\d[\d,]*", "ptr": r"/[^\s:]*"}


def _compile(template: str) -> re.Pattern[str]:
    """A template as a pattern. ``'{x}'`` also matches ``"..."``: Python's ``repr``
    quotes a text that holds a ``'`` with double quotes."""
    out, at = [], 0
    for m in _SLOT.finditer(template):
        quoted = template[m.start() - 1:m.start()] == "'" == template[m.end():m.end() + 1]
        out.append(re.escape(template[at:m.start() - 1 if quoted else m.start()]))
        slot = f"(?P<{m[1]}>{_KINDS[m[2]]})"
        out.append(f"(?P<_{m[1]}>['\"]){slot}(?P=_{m[1]})" if quoted else slot)
        at = m.end() + 1 if quoted else m.end()
    out.append(re.escape(template[at:]))
    return re.compile("".join(out), re.DOTALL)


_RULES = [(_compile(en), re.sub(r"\{(\w+):\w+\}", r"{\1}", zh)) for en, zh in CATALOGUE]
_FILL = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=4096)
def to_zh(message: str) -> str:
    """``message`` in Chinese when the catalogue knows it, else ``message``."""
    text = message.strip()
    body, yaml_said, said = text.partition(" (YAML: ")  # the parser's words, kept
    if yaml_said and said.endswith(")"):
        return f"{to_zh(body)}（YAML 原文：{said[:-1]}）"
    if text in TERMS:
        return TERMS[text]
    if text.startswith("/") and ": " in text and "; " not in text:  # "/files/0: ..."
        pointer, _, rest = text.partition(": ")
        return f"{pointer}：{to_zh(rest)}"
    for pattern, zh in _RULES:
        if (m := pattern.fullmatch(text)) is not None:
            return _fill(zh, {k: _value(v) if k in SAID else v
                              for k, v in m.groupdict().items() if k[0] != "_"})
    if "; " in text:  # "2 fields are invalid; /a: ...; /b: ..."
        return "；".join(to_zh(p) for p in text.split("; "))
    head, sep, rest = text.partition(": ")  # "/files/0: ...", "plan.pdf: ..."
    if sep and (said := to_zh(rest)) != rest:
        return f"{head}：{said}"
    return message


def _fill(template: str, values: Mapping[str, str]) -> str:
    return _FILL.sub(lambda s: values.get(s[1], s[0]), template)


def _value(value: str) -> str:
    return TERMS.get(value) or to_zh(value)


def wants_zh(accept_language: str | None) -> bool:
    """Whether the first language asked for is Chinese (``zh``, ``zh-CN``...)."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return first.startswith("zh")


def localize_problem(body: dict[str, Any], zh: bool,
                     labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``body`` with its ``detail`` and its errors' ``message`` in Chinese when ``zh``;
    ``labels``: the form's field labels in Chinese (``FormInvalid.labels_zh``), so that a
    message names the field in Chinese too."""
    if not zh:
        return body
    swap = _labels_swapper(labels or {})
    out = dict(body)
    if isinstance(out.get("detail"), str):
        out["detail"] = to_zh(swap(out["detail"]))
    if isinstance(out.get("errors"), list):
        out["errors"] = [_localized_error(e, swap) for e in out["errors"]]
    return out


def _labels_swapper(labels: Mapping[str, str]) -> Callable[[str], str]:
    """English field labels -> Chinese where a message names one: at its start, or after
    a pointer's ": " in a summary ("2 fields are invalid; /a: Store name is required")."""
    if not labels:
        return lambda text: text
    names = sorted(labels, key=len, reverse=True)
    at = re.compile(r"(^|: )(" + "|".join(re.escape(n) for n in names) + r")(?= )")
    return lambda text: at.sub(lambda m: m[1] + labels[m[2]], text)


def _localized_error(error: Any, swap: Callable[[str], str]) -> Any:
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return {**error, "message": to_zh(swap(error["message"]))}
    return error


__all__ = ["localize_problem", "to_zh", "wants_zh"]
