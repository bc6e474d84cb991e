"""Language: ``Accept-Language: zh*`` puts definitions' Chinese titles (``title_zh``,
``description_zh``) into the plain ``title`` / ``description`` fields of responses."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import Depends, Header

from engine.core.definition import ProcessDefinition

_localized: dict[tuple[str, int, str], ProcessDefinition] = {}


async def _wants_zh(accept_language: Annotated[str | None, Header()] = None) -> bool:
    first = (accept_language or "").split(",")[0].strip().lower()
    return first.startswith("zh")


ZhDep = Annotated[bool, Depends(_wants_zh)]


def localize(defn: ProcessDefinition, zh: bool) -> ProcessDefinition:
    """``defn`` with Chinese titles and descriptions where it has them (cached)."""
    if not zh:
        return defn
    key = (defn.key, defn.version, defn.digest)
    if key not in _localized:
        nodes = {nid: dataclasses.replace(n, title=n.title_zh or n.title,
                                          description=n.description_zh or n.description)
                 for nid, n in defn.nodes.items()}
        _localized[key] = dataclasses.replace(
            defn, title=defn.title_zh or defn.title,
            description=defn.description_zh or defn.description, nodes=nodes)
    return _localized[key]


__all__ = ["ZhDep", "localize"]
