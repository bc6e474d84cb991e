"""Where attachment bytes live: outside the database rows, under their sha256
(content-addressed: the same file uploaded twice is stored once, a key never changes
meaning, and nothing is ever overwritten or deleted).

- ``LocalBlobs(root)``: files in a local folder, ``root/ab/cd/<sha256>``; written to a
  temporary file in the same folder and renamed into place, so a reader never sees half
  a file. One host, or a folder every host mounts.
- ``S3Blobs(bucket, ...)``: any S3-compatible object storage, through boto3 (AWS S3,
  MinIO, Ceph, Alibaba OSS, ...), for several hosts.

Keys are made here from a validated hex digest only: no name a user chose reaches a
path or an object key.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

_HEX = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 16


def _checked(sha256: str) -> str:
    if not _HEX.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return sha256


class Blobs(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...
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

    def put(self, sha256: str, data: bytes) -> None:
        target = self.path(sha256)
        if target.is_file():
            return  # the same bytes are there already
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, sha256: str) -> Iterator[bytes]:
        with self.path(sha256).open("rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk


class S3Blobs:
    """``bucket`` (created when missing), keys ``<prefix><sha256>``. Credentials and the
    region come from boto3's usual chain (``AWS_ACCESS_KEY_ID``... or an instance role)
    unless given; ``endpoint_url`` points at a non-AWS service."""

    def __init__(self, bucket: str, *, prefix: str = "attachments/",
                 endpoint_url: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None,
                 client: Any = None) -> None:
        if client is None:
            import boto3  # an optional dependency: the "s3" extra

            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region,
                                  aws_access_key_id=access_key,
                                  aws_secret_access_key=secret_key)
        self.client, self.bucket, self.prefix = client, bucket, prefix
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

    def put(self, sha256: str, data: bytes) -> None:
        self._ensure_bucket()
        if self.exists(sha256):
            return
        self.client.put_object(Bucket=self.bucket, Key=self.key(sha256), Body=data,
                               ContentType="application/octet-stream")

    def open(self, sha256: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()


__all__ = ["Blobs", "LocalBlobs", "S3Blobs"]
