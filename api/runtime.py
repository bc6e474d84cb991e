"""What one app process holds: settings, the open database, the clock, the JWT secret."""

from __future__ import annotations

from dataclasses import dataclass

from api.clock import Clock
from api.settings import Settings
from engine.store import Database, open_database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    secret: str

    @classmethod
    def open(cls, settings: Settings, clock: Clock) -> Runtime:
        return cls(settings, open_database(settings.database_url), clock, settings.secret())

    def close(self) -> None:
        self.db.dispose()


__all__ = ["Runtime"]
