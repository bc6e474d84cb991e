"""Where attachment bytes live: outside the database rows, under their sha256
(content-addressed: the same file uploaded twice is stored once, a key never changes
meaning, and nothing is ever overwritten or deleted).

An upload is streamed in: ``blobs.receive()`` gives an ``Incoming`` that takes the bytes
chunk by chunk as they arrive (memory stays flat whatever the file's size), then is
either kept under its sha256 (``keep``) or thrown away (``discard``, also what closing
it without keeping does), so a refused or abandoned upload leaves nothing behind.

- ``LocalBlobs(root)``: files in a local folder, ``root/ab/cd/<sha256>``; an upload is
  written to a temporary file under ``root/.incoming`` and renamed into place, so a
  reader never sees half a file. One host, or a folder every host mounts.
- ``S3Blobs(bucket, ...)``: any S3-compatible object storage, through boto3 (AWS S3,
  MinIO, Ceph, Alibaba OSS, ...), for several hosts. An upload is spooled to a local
  temporary file, then sent by boto3's managed transfer (a multipart upload in parts
  read from that file, past ``multipart_threshold``) once it is to be kept.

Keys are made here from a validated hex digest only: no name a user chose reaches a
path or an object key.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

_HEX = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 16


def _checked(sha256: str) -> str:
    if not _HEX.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return sha256


class Incoming:
    """An upload on its way in: a temporary file written chunk by chunk. ``keep(sha256)``
    hands it to its store's ``_settle`` (which moves or sends it under that key); a
    discarded one is deleted."""

    def __init__(self, directory: Path, settle: Callable[[str, Path], None]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix=".upload-")
        self.path, self._fh, self._settle = Path(name), os.fdopen(fd, "wb"), settle
        self.done = False

    def write(self, chunk: bytes) -> None:
        self._fh.write(chunk)

    def keep(self, sha256: str) -> None:
        if self.done:
            return
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._settle(_checked(sha256), self.path)
        finally:
            self.discard()

    def discard(self) -> None:
        self.done = True
        self._fh.close()
        self.path.unlink(missing_ok=True)


class Blobs(Protocol):
    def receive(self) -> Incoming: ...
    def open(self, sha256: str) -> Iterator[bytes]: ...
    def exists(self, sha256: str) -> bool: ...


class LocalBlobs:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        key = _checked(sha256)
        return self.root / key[:2] / key[2:4] / key

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def receive(self) -> Incoming:
        return Incoming(self.root / ".incoming", self._settle)

    def _settle(self, sha256: str, spooled: Path) -> None:
        target = self.path(sha256)
        if target.is_file():
            return  # the same bytes are there already (the spooled copy is dropped)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(spooled, target)  # same file system: atomic

    def open(self, sha256: str) -> Iterator[bytes]:
        with self.path(sha256).open("rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk


class S3Blobs:
    """``bucket`` (created when missing), keys ``<prefix><sha256>``. Credentials and the
    region come from boto3's usual chain (``AWS_ACCESS_KEY_ID``... or an instance role)
    unless given; ``endpoint_url`` points at a non-AWS service. Uploads are spooled in
    ``spool_dir`` (the system's temporary folder unless given) until kept."""

    PART = 8 * 1024 * 1024  # multipart threshold and part size

    def __init__(self, bucket: str, *, prefix: str = "attachments/",
                 endpoint_url: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None,
                 client: Any = None, spool_dir: Path | None = None) -> None:
        if client is None:
            import boto3  # an optional dependency: the "s3" extra

            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region,
                                  aws_access_key_id=access_key,
                                  aws_secret_access_key=secret_key)
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.spool_dir = spool_dir or Path(tempfile.gettempdir()) / "signoff-uploads"
        self._bucket_known = False

    def key(self, sha256: str) -> str:
        return self.prefix + _checked(sha256)

    def _ensure_bucket(self) -> None:
        if self._bucket_known:
            return
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)
        self._bucket_known = True

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def receive(self) -> Incoming:
        return Incoming(self.spool_dir, self._settle)

    def _settle(self, sha256: str, spooled: Path) -> None:
        from boto3.s3.transfer import TransferConfig

        self._ensure_bucket()
        if self.exists(sha256):
            return
        # From a file name, boto3 reads each part from disk as it sends it (a file object
        # would have each part read into memory first).
        config = TransferConfig(multipart_threshold=self.PART, multipart_chunksize=self.PART,
                                max_concurrency=2)
        self.client.upload_file(str(spooled), self.bucket, self.key(sha256), Config=config,
                                ExtraArgs={"ContentType": "application/octet-stream"})

    def open(self, sha256: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()


__all__ = ["CHUNK", "Blobs", "Incoming", "LocalBlobs", "S3Blobs"]
