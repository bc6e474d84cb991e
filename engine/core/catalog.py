"""Where definitions come from: a ``Catalog`` gives a definition by key and version."""

from __future__ import annotations

import dataclasses
from typing import Protocol

from engine.core.definition import ProcessDefinition
from engine.core.errors import DefinitionNotFound


class Catalog(Protocol):
    def get(self, key: str, version: int | None = None) -> ProcessDefinition:
        """The given version, or the latest when ``version`` is None; raises
        DefinitionNotFound."""
        ...


class MemoryCatalog:
    """Versions in memory: adding a key again with a different text (digest) makes the
    next version; adding the same text again returns the existing version."""

    def __init__(self, definitions: list[ProcessDefinition] | None = None) -> None:
        self._versions: dict[str, list[ProcessDefinition]] = {}
        for defn in definitions or []:
            self.add(defn)

    def add(self, defn: ProcessDefinition) -> ProcessDefinition:
        versions = self._versions.setdefault(defn.key, [])
        for existing in versions:
            if existing.digest == defn.digest:
                return existing
        stored = dataclasses.replace(defn, version=len(versions) + 1)
        versions.append(stored)
        return stored

    def get(self, key: str, version: int | None = None) -> ProcessDefinition:
        versions = self._versions.get(key)
        if not versions:
            raise DefinitionNotFound(key, version)
        if version is None:
            return versions[-1]
        if not 1 <= version <= len(versions):
            raise DefinitionNotFound(key, version)
        return versions[version - 1]

    def keys(self) -> list[str]:
        return sorted(self._versions)

    def versions(self, key: str) -> list[int]:
        return list(range(1, len(self._versions.get(key, [])) + 1))


__all__ = ["Catalog", "MemoryCatalog"]
