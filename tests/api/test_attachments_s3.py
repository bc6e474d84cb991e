"""The S3 attachment store against a real S3-compatible server: moto's standalone server
(``moto[server]`` from PyPI), started here on a free port, spoken to by boto3 exactly
as a MinIO or AWS deployment would be (``SIGNOFF_ATTACHMENTS_STORE=s3``)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from api.runtime import attachment_blobs
from engine.store.attachment_blobs import S3Blobs
from tests.api.conftest import Api
from tests.api.test_attachments import PDF, upload
from tests.api.test_attachments_stream import (
    check_a_big_file_streams_in_flat_memory,
    check_too_big_leaves_nothing,
    files_under,
)
from tests.api.test_flows import start_store
from tests.notify.servers import free_port

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "signoff-test", "AWS_SECRET_ACCESS_KEY": "signoff-test",
               "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                             "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, **CREDENTIALS})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/moto-api/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def s3_api(api: Api, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Api:
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    runtime.settings = runtime.settings.model_copy(update={
        "attachments_store": "s3", "attachments_s3_endpoint_url": s3_endpoint,
        "attachments_s3_bucket": f"signoff-{os.urandom(4).hex()}",
        "attachments_s3_region": "us-east-1"})
    runtime.blobs = attachment_blobs(runtime.settings)
    assert isinstance(runtime.blobs, S3Blobs)
    return api


def test_attachments_live_in_the_bucket_and_download_for_involved_only(s3_api: Api) -> None:
    api = s3_api
    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    blobs: S3Blobs = runtime.blobs
    iid = start_store(api)["id"]
    r = upload(api.as_("xu.ming"), iid, ("lease.pdf", PDF, "application/pdf"),
               comment="Lease attached")
    assert r.status_code == 200, r.text
    a = r.json()["attachments"][0]
    digest = hashlib.sha256(PDF).hexdigest()
    # the bytes are an object keyed by their hash, not a file on this host
    obj = blobs.client.get_object(Bucket=blobs.bucket, Key=f"attachments/{digest}")
    assert obj["Body"].read() == PDF
    assert not (api.settings.resolved_state_dir() / "attachments").exists()
    got = api.as_("zhao.lei").get(a["url"])
    assert got.status_code == 200 and got.content == PDF
    assert api.as_("ma.jun").get(a["url"]).status_code == 403
    # the same bytes again: one object, two attachments
    again = upload(api.as_("xu.ming"), iid, ("copy.pdf", PDF, "application/pdf"))
    assert len(again.json()["attachments"]) == 2
    listed = blobs.client.list_objects_v2(Bucket=blobs.bucket)["Contents"]
    assert [o["Key"] for o in listed] == [f"attachments/{digest}"]


def test_a_refused_file_puts_nothing_in_the_bucket(s3_api: Api) -> None:
    api = s3_api
    blobs: S3Blobs = api.client.app.state.runtime.blobs  # type: ignore[attr-defined]
    iid = start_store(api)["id"]
    r = upload(api.as_("ma.jun"), iid, ("lease.pdf", PDF, "application/pdf"))
    assert r.status_code == 403
    r = upload(api.as_("xu.ming"), iid, ("page.pdf", b"<html>x</html>", "application/pdf"))
    assert r.status_code == 415
    blobs._ensure_bucket()
    assert blobs.client.list_objects_v2(Bucket=blobs.bucket).get("KeyCount") == 0


def test_a_big_file_streams_to_the_bucket_in_flat_memory(s3_api: Api) -> None:
    blobs: S3Blobs = s3_api.client.app.state.runtime.blobs  # type: ignore[attr-defined]

    def stored(sha256: str) -> Iterator[bytes]:
        return blobs.open(sha256)

    check_a_big_file_streams_in_flat_memory(s3_api, stored)  # a multipart upload
    assert not files_under(blobs.spool_dir)


def test_a_file_past_the_limit_leaves_nothing_in_the_bucket(s3_api: Api) -> None:
    blobs: S3Blobs = s3_api.client.app.state.runtime.blobs  # type: ignore[attr-defined]

    def leftovers() -> list[object]:
        blobs._ensure_bucket()
        listed = blobs.client.list_objects_v2(Bucket=blobs.bucket).get("Contents", [])
        uploads = blobs.client.list_multipart_uploads(Bucket=blobs.bucket).get("Uploads", [])
        return [*listed, *uploads, *files_under(blobs.spool_dir)]

    check_too_big_leaves_nothing(s3_api, leftovers)
