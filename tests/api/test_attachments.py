"""Attachments through HTTP on SQLite and PostgreSQL with the local folder store: upload
(with a comment, as a new version), the limits (413/415/422, nothing stored), download
for involved people only, safe names, and a form that requires a file. The S3 path runs
against moto's standalone S3-compatible server (``tests/api/test_attachments_s3.py``)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from engine.store.attachments import Attachment
from tests.api.conftest import Api, As
from tests.api.test_flows import start_store

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def blob_files(api: Api) -> list[Path]:
    root = api.settings.resolved_state_dir() / "attachments"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows(api: Api) -> list[dict[str, Any]]:
    with api.db.engine.connect() as conn:
        table = Attachment.__table__  # type: ignore[attr-defined]
        return [dict(r._mapping) for r in conn.execute(
            sa.select(table).order_by(table.c.uploaded_at, table.c.seq))]


def upload(user: As, iid: str, *files: tuple[str, bytes, str], **form: str) -> Any:
    return user.post(f"/api/instances/{iid}/attachments",
                     files=[("files", f) for f in files], data=form)


def test_attach_with_a_comment_shows_in_the_timeline_and_downloads_for_involved_only(
        api: Api) -> None:
    iid = start_store(api)["id"]
    before = api.event_count()
    r = upload(api.as_("xu.ming"), iid, ("lease contract.pdf", PDF, "application/pdf"),
               ("floor plan.png", PNG, "image/png"), comment="Signed lease and the plan")
    assert r.status_code == 200, r.text
    body = r.json()
    assert api.event_count() == before + 3  # the comment, then one event per file
    kinds = [(e["kind"], e["actor"]) for e in body["timeline"][-3:]]
    assert kinds == [("comment_added", "xu.ming"), ("attachment_added", "xu.ming"),
                     ("attachment_added", "xu.ming")]
    files = body["attachments"]
    assert [(a["name"], a["size"], a["content_type"], a["version"]) for a in files] == [
        ("lease contract.pdf", len(PDF), "application/pdf", 1),
        ("floor plan.png", len(PNG), "image/png", 1)]
    assert body["timeline"][-1]["attachment"]["id"] == files[1]["id"]
    # metadata rows, written with their events; bytes in the folder under their sha256
    stored = rows(api)
    assert [(r["name"], str(r["instance_id"]), r["uploaded_by"]) for r in stored] == [
        ("lease contract.pdf", iid, "xu.ming"), ("floor plan.png", iid, "xu.ming")]
    seqs = [r["seq"] for r in stored]
    assert seqs == [before + 2, before + 3]
    assert [p.name for p in blob_files(api)] == sorted(
        [hashlib.sha256(PDF).hexdigest(), hashlib.sha256(PNG).hexdigest()])

    url = files[0]["url"]
    for who in ("xu.ming", "zhao.lei", "chen.jing", "admin"):  # requester, holder, owner
        got = api.as_(who).get(url)
        assert got.status_code == 200, (who, got.text)
        assert got.content == PDF
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"] == (
            "attachment; filename=\"lease contract.pdf\"; "
            f"filename*=UTF-8''{quote('lease contract.pdf', safe='')}")
    outsider = api.as_("ma.jun").get(url)
    assert outsider.status_code == 403
    assert "not involved" in outsider.json()["detail"]
    assert api.as_("ma.jun").get(f"/api/instances/{iid}").status_code == 403
    # an outsider may not attach either, and nothing is stored for them
    n = len(blob_files(api))
    other = b"%PDF-1.7\n" + b"outsider" * 20
    refused = upload(api.as_("ma.jun"), iid, ("x.pdf", other, "application/pdf"))
    assert refused.status_code == 403
    assert len(blob_files(api)) == n and len(rows(api)) == 2

    # a past holder can still download after the step moved on
    api.as_("zhao.lei")
    tasks = api.as_("zhao.lei").get("/api/tasks").json()["items"]
    task = next(t for t in tasks if t["instance_id"] == iid)
    assert api.as_("zhao.lei").post(f"/api/tasks/{task['id']}/approve").status_code == 200
    assert api.as_("zhao.lei").get(url).status_code == 200


def test_a_new_version_keeps_the_old_one(api: Api) -> None:
    iid = start_store(api)["id"]
    user = api.as_("xu.ming")
    first = upload(user, iid, ("lease.pdf", PDF, "application/pdf")).json()["attachments"][0]
    v2 = PDF + b"% amended clause 7\n"
    r = upload(user, iid, ("lease-v2.pdf", v2, "application/pdf"), replaces=first["id"])
    assert r.status_code == 200, r.text
    files = r.json()["attachments"]
    assert [(a["name"], a["version"], a["current"], a["replaces"]) for a in files] == [
        ("lease.pdf", 1, False, None), ("lease-v2.pdf", 2, True, first["id"])]
    assert user.get(first["url"]).content == PDF  # the old version stays
    assert user.get(files[1]["url"]).content == v2
    # replacing a file of another request is refused
    other = start_store(api, store_name="Other")["id"]
    bad = upload(user, other, ("x.pdf", v2, "application/pdf"), replaces=first["id"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "/files/0"


@pytest.fixture
def small_api(api: Api) -> Api:
    """``api`` with a 1 KiB limit and PDFs and text only."""
    app = api.client.app
    runtime = app.state.runtime  # type: ignore[attr-defined]
    runtime.settings = runtime.settings.model_copy(update={
        "attachment_max_bytes": 1024, "attachment_max_files": 2,
        "attachment_types": "pdf,txt,docx"})
    return api


@pytest.mark.parametrize(("name", "data", "status", "words"), [
    ("big.pdf", b"%PDF-1.4\n" + b"0" * 2000, 413, ["big.pdf", "1,024 bytes"]),
    ("tool.exe", b"MZ\x90\x00" + b"\x00" * 60, 415, ["tool.exe", ".exe", ".pdf, .txt, .docx"]),
    ("photo.png", PNG, 415, ["photo.png", ".png"]),
    ("fake.pdf", b"<html><script>alert(1)</script></html>", 415, ["fake.pdf", "markup"]),
    ("notes.txt", b"\xef\xbb\xbf<svg onload=alert(1)>", 415, ["notes.txt", "markup"]),
    ("renamed.pdf", PNG, 415, ["renamed.pdf", "not a .pdf"]),
    ("latin1.txt", "caf\u00e9".encode("latin-1"), 415, ["latin1.txt", "UTF-8"]),
    ("empty.pdf", b"", 422, ["empty.pdf", "empty"]),
])
def test_refused_files_name_the_file_and_the_limit_and_store_nothing(
        small_api: Api, name: str, data: bytes, status: int, words: list[str]) -> None:
    api = small_api
    iid = start_store(api)["id"]
    before = api.event_count()
    # the client claims a harmless type: it is not believed
    r = upload(api.as_("xu.ming"), iid, (name, data, "application/pdf"))
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    detail = r.json()["detail"]
    for word in words:
        assert word in detail, (word, detail)
    assert api.event_count() == before and rows(api) == [] and blob_files(api) == []


def test_too_many_files_and_a_docx_sniffed_from_its_content(small_api: Api) -> None:
    api = small_api
    iid = start_store(api)["id"]
    three = [(f"{i}.txt", b"receipt %d" % i, "text/plain") for i in range(3)]
    r = upload(api.as_("xu.ming"), iid, *three)
    assert r.status_code == 422 and "the limit is 2" in r.json()["detail"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    ok = upload(api.as_("xu.ming"), iid, ("memo.docx", buf.getvalue(), "text/html"))
    assert ok.status_code == 200, ok.text
    assert ok.json()["attachments"][0]["content_type"].endswith("wordprocessingml.document")


def test_path_traversal_and_control_characters_in_names_are_cut(api: Api) -> None:
    iid = start_store(api)["id"]
    r = upload(api.as_("xu.ming"), iid,
               ("../../etc/\u202epasswd\r\n\"x\".pdf", PDF, "application/pdf"))
    assert r.status_code == 200, r.text
    a = r.json()["attachments"][0]
    # (the test client percent-encodes CR, LF and quotes itself; safe_name's own tests
    # in tests/engine/test_attachment_names.py cover them raw)
    assert a["name"].startswith("passwd") and a["name"].endswith(".pdf"), a["name"]
    assert "/" not in a["name"] and ".." not in a["name"] and "\u202e" not in a["name"]
    got = api.as_("xu.ming").get(a["url"])
    assert "\r" not in got.headers["content-disposition"]
    assert ".." not in got.headers["content-disposition"]
    root = api.settings.resolved_state_dir() / "attachments"
    assert all(p.resolve().is_relative_to(root.resolve()) for p in blob_files(api))


def test_unknown_attachment_is_404_and_a_finished_request_takes_no_files(api: Api) -> None:
    user = api.as_("xu.ming")
    assert user.get("/api/attachments/00000000-0000-0000-0000-000000000000"
                    ).status_code == 404
    iid = start_store(api)["id"]
    assert user.post(f"/api/instances/{iid}/withdraw").status_code == 200
    r = upload(user, iid, ("late.pdf", PDF, "application/pdf"))
    assert r.status_code == 409 and blob_files(api) == []


LEASE = """\
key: lease_check
title: Lease check
form:
  type: object
  required: [store, contract]
  properties:
    store: {type: string, title: Store}
    contract: {type: string, format: attachment, title: Lease contract}
    floor_plan: {type: string, format: attachment, title: Floor plan}
start: review
nodes:
  review:
    approvers: {manager_of: initiator}
    on: {approve: approved, reject: rejected, return: initiator}
  approved: {final: approved}
  rejected: {final: rejected}
"""


def test_a_form_can_require_an_attachment(api: Api) -> None:
    r = api.as_("chen.jing").post("/api/definitions", content=LEASE,
                                  headers={"Content-Type": "text/yaml"})
    assert r.status_code == 201, r.text
    user = api.as_("xu.ming")
    missing = user.post("/api/instances", json={"definition": "lease_check",
                                                "data": {"store": "Hongqiao"}})
    assert missing.status_code == 422
    assert [e["pointer"] for e in missing.json()["errors"]] == ["/contract"]
    staged = user.post("/api/attachments", files={"file": ("lease.pdf", PDF)},
                       data={"field": "contract"})
    assert staged.status_code == 201, staged.text
    sid = staged.json()["id"]
    assert rows(api)[0]["instance_id"] is None
    assert user.get(f"/api/attachments/{sid}").content == PDF  # its uploader only
    assert api.as_("zhao.lei").get(f"/api/attachments/{sid}").status_code == 403
    # someone else cannot claim my upload, and an id that is no upload is refused
    for who, value in (("zhang.wei", sid), ("xu.ming", "not-a-file")):
        bad = api.as_(who).post("/api/instances", json={
            "definition": "lease_check", "data": {"store": "X", "contract": value}})
        assert bad.status_code == 422, bad.text
        assert bad.json()["errors"][0]["pointer"] == "/contract"
    assert rows(api)[0]["instance_id"] is None
    r = user.post("/api/instances", json={"definition": "lease_check",
                                          "data": {"store": "Hongqiao", "contract": sid}})
    assert r.status_code == 201, r.text
    body = r.json()
    assert [(a["id"], a["field"]) for a in body["attachments"]] == [(sid, "contract")]
    assert body["timeline"][-1]["kind"] == "attachment_added"
    assert str(rows(api)[0]["instance_id"]) == body["id"]
    assert api.as_("zhao.lei").get(f"/api/attachments/{sid}").content == PDF
    # the same upload cannot be attached twice
    again = user.post("/api/instances", json={"definition": "lease_check",
                                              "data": {"store": "Y", "contract": sid}})
    assert again.status_code == 422 and "already attached" in again.text

    # returned, then resubmitted with a new file: a new version of the old one
    tasks = api.as_("zhao.lei").get("/api/tasks").json()["items"]
    task = next(t for t in tasks if t["instance_id"] == body["id"])
    ret = api.as_("zhao.lei").post(f"/api/tasks/{task['id']}/return",
                                   json={"comment": "Signed copy please"})
    assert ret.status_code == 200, ret.text
    v2 = user.post("/api/attachments", files={"file": ("lease-signed.pdf", PDF + b"%s")},
                   data={"field": "contract"}).json()["id"]
    r = user.post(f"/api/instances/{body['id']}/resubmit",
                  json={"data": {"store": "Hongqiao", "contract": v2}})
    assert r.status_code == 200, r.text
    files = r.json()["attachments"]
    assert [(a["name"], a["version"], a["current"]) for a in files] == [
        ("lease.pdf", 1, False), ("lease-signed.pdf", 2, True)]
