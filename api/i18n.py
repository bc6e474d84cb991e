"""Language: ``Accept-Language: zh*`` puts definitions' Chinese titles (``title_zh``,
``description_zh``) into the plain ``title`` / ``description`` fields of responses."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Header

from api.messages import wants_zh
from engine.core.definition import ProcessDefinition

_localized: dict[tuple[str, int, str], ProcessDefinition] = {}


async def _wants_zh(accept_language: Annotated[str | None, Header()] = None) -> bool:
    return wants_zh(accept_language)


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


def title_needs_form(defn: ProcessDefinition, zh: bool) -> bool:
    """Whether a request's title in the caller's language is made from its form."""
    return zh and bool(defn.instance_title_zh)


def request_title(defn: ProcessDefinition, stored: str, data: Mapping[str, Any] | None,
                  zh: bool) -> str:
    """A request's title in the caller's language: in Chinese the process's
    ``instance_title_zh`` filled from ``data`` (or its Chinese title when it has no
    title template); otherwise ``stored``, the title the request was given at the start."""
    if not zh or (defn.instance_title and not defn.instance_title_zh):
        return stored
    return defn.title_for(data or {}, zh=True)


__all__ = ["ZhDep", "localize", "request_title", "title_needs_form"]
