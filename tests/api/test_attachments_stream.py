"""Uploads are streamed, on SQLite and PostgreSQL with the local folder (the S3 store runs
the same checks in ``test_attachments_s3.py``): a file many chunks long goes through
the app while its Python memory peak (tracemalloc) stays a small fraction of the file,
the stored bytes are the file's and carry its sha256, and a file past the limit is
refused with 413 and leaves nothing behind (no row, no blob, no half-written file).

The body is fed to the ASGI app in 64 KiB messages, as a server hands it over, from a
generator that makes the bytes as it goes: the test client would first read the whole
body into memory, which is the very thing measured here."""

from __future__ import annotations

import hashlib
import random
import tracemalloc
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import Api
from tests.api.test_attachments import PDF, blob_files, rows, upload
from tests.api.test_flows import start_store

MiB = 1024 * 1024
PIECE = 64 * 1024
BIG = 24 * MiB  # several S3 parts of 8 MiB


class Generated:
    """A PDF-looking file of ``size`` bytes made piece by piece (never whole in memory),
    its sha256 worked out as it is made."""

    def __init__(self, size: int, seed: int = 7) -> None:
        self.size, self.seed, self.digest = size, seed, hashlib.sha256()

    def pieces(self) -> Iterator[bytes]:
        rng, left = random.Random(self.seed), self.size
        head = b"%PDF-1.4\n"
        while left > 0:
            piece = (head + rng.randbytes(PIECE - len(head)))[:left]
            head = b""
            self.digest.update(piece)
            left -= len(piece)
            yield piece


def _multipart(boundary: str, field: str, name: str, content: Generated) -> Iterator[bytes]:
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
           f"filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    yield from content.pieces()
    yield f"\r\n--{boundary}--\r\n".encode()


def stream_upload(api: Api, user: str, path: str, name: str, content: Generated,
                  field: str = "files") -> tuple[int, int]:
    """POST ``content`` (as the form field ``field``) as ``user`` straight into the app
    in 64 KiB messages; the status and the peak of Python memory allocated meanwhile (all
    threads)."""
    token = api.as_(user).headers["Authorization"]
    boundary = uuid.uuid4().hex
    body = _multipart(boundary, field, name, content)
    client: Any = api.client
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
        "state": client.app_state.copy(),
        "headers": [(b"host", b"testserver"), (b"authorization", token.encode()),
                    (b"content-type",
                     f"multipart/form-data; boundary={boundary}".encode())]}
    status: list[int] = []

    async def call() -> None:
        finished, sent = anyio.Event(), [False]

        async def receive() -> dict[str, Any]:
            if sent[0]:  # the whole body is in: the client waits for the answer
                await finished.wait()
                return {"type": "http.disconnect"}
            piece = next(body, None)
            sent[0] = piece is None
            return {"type": "http.request", "body": piece or b"", "more_body": not sent[0]}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished.set()

        await client.app(scope, receive, send)

    tracemalloc.start()
    try:
        client.portal.call(call)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return status[0], peak


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def check_a_big_file_streams_in_flat_memory(api: Api, stored: Any) -> None:
    """Shared with the S3 store: ``stored(sha256)`` reads the kept bytes back, piece by
    piece."""
    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    runtime.settings = runtime.settings.model_copy(update={"attachment_max_bytes": 2 * BIG})
    iid = start_store(api)["id"]
    path = f"/api/instances/{iid}/attachments"
    # warm up (first imports, first bucket call) with a small file through the same path
    assert upload(api.as_("xu.ming"), iid, ("warm.pdf", PDF, "application/pdf")
                  ).status_code == 200
    big = Generated(BIG)
    status, peak = stream_upload(api, "xu.ming", path, "site survey.pdf", big)
    assert status == 200
    # held whole, the file alone would be 24 MiB (the body buffered once more, as before,
    # 72 MiB); streamed, the peak is the multipart spool (1 MiB), a few chunks and the
    # request's own work: measured 1.3 MiB to the folder, 3-4.3 MiB to S3 (the same for a
    # 40 MiB file)
    assert peak < BIG / 4, f"peak {peak / MiB:.1f} MiB for a {BIG / MiB:.0f} MiB file"
    files = api.as_("xu.ming").get(f"/api/instances/{iid}").json()["attachments"]
    assert [(a["name"], a["size"]) for a in files][-1] == ("site survey.pdf", big.size)
    sha = hashlib.sha256()
    for piece in stored(big.digest.hexdigest()):
        sha.update(piece)
    assert sha.hexdigest() == big.digest.hexdigest()


def check_too_big_leaves_nothing(api: Api, leftovers: Any) -> None:
    """Shared with the S3 store: ``leftovers()`` lists what the store holds."""
    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    runtime.settings = runtime.settings.model_copy(update={"attachment_max_bytes": MiB})
    iid = start_store(api)["id"]
    before = api.event_count()
    status, _ = stream_upload(api, "xu.ming", f"/api/instances/{iid}/attachments",
                              "huge.pdf", Generated(3 * MiB))
    assert status == 413
    status, _ = stream_upload(api, "xu.ming", "/api/attachments", "huge.pdf",
                              Generated(2 * MiB), field="file")
    assert status == 413
    assert api.event_count() == before and rows(api) == []
    assert leftovers() == []


def test_a_big_file_streams_to_the_folder_in_flat_memory(api: Api) -> None:
    root = api.settings.resolved_state_dir() / "attachments"

    def stored(sha256: str) -> Iterator[bytes]:
        with (root / sha256[:2] / sha256[2:4] / sha256).open("rb") as fh:
            while piece := fh.read(MiB):
                yield piece

    check_a_big_file_streams_in_flat_memory(api, stored)
    assert not files_under(root / ".incoming")  # no temporary file left


def test_a_file_past_the_limit_leaves_nothing_in_the_folder(api: Api) -> None:
    root = api.settings.resolved_state_dir() / "attachments"
    check_too_big_leaves_nothing(api, lambda: blob_files(api) + files_under(root))


def test_a_body_past_the_upload_cap_is_cut_off_as_it_comes(api: Api) -> None:
    """The request guard streams an upload through, counting: a body past
    ``max_upload_bytes`` (here 1 file of 64 KiB, plus 64 KiB for the form) is refused with
    413 once that many bytes came, before the route stores anything."""
    iid = start_store(api)["id"]
    api.as_("xu.ming")  # its token is good for another app on the same database
    settings = api.settings.model_copy(update={"attachment_max_bytes": 64 * 1024,
                                               "attachment_max_files": 1})
    with TestClient(create_app(settings, clock=api.clock)) as client:
        capped = Api(client, api.clock, api.db, settings, dict(api._tokens))
        status, _ = stream_upload(capped, "xu.ming", f"/api/instances/{iid}/attachments",
                                  "huge.pdf", Generated(MiB))
    assert status == 413
    root = api.settings.resolved_state_dir() / "attachments"
    assert rows(api) == [] and files_under(root) == []
