"""What one app process holds: settings, the open database, the clock, the JWT secret."""

from __future__ import annotations

from dataclasses import dataclass

from api.clock import Clock
from api.settings import Settings
from engine.store import Database, open_database
from engine.store.attachment_blobs import Blobs, LocalBlobs, S3Blobs


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    secret: str
    blobs: Blobs | None = None  # where attachment bytes live

    @classmethod
    def open(cls, settings: Settings, clock: Clock) -> Runtime:
        return cls(settings, open_database(settings.database_url), clock, settings.secret(),
                   attachment_blobs(settings))

    def close(self) -> None:
        self.db.dispose()


def attachment_blobs(settings: Settings) -> Blobs:
    """The attachment store the settings name: a local folder, or an S3 bucket."""
    if settings.attachments_store == "s3":
        return S3Blobs(settings.attachments_s3_bucket, prefix=settings.attachments_s3_prefix,
                       endpoint_url=settings.attachments_s3_endpoint_url,
                       region=settings.attachments_s3_region,
                       spool_dir=settings.resolved_state_dir() / "uploads")
    root = settings.attachments_dir or settings.resolved_state_dir() / "attachments"
    return LocalBlobs(root)


__all__ = ["Runtime", "attachment_blobs"]
