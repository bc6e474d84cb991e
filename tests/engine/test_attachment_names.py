"""``safe_name``: what a file name becomes before it is stored or sent back."""

from __future__ import annotations

import pytest

from engine.core.attachments import MAX_NAME, attachment_fields, safe_name


@pytest.mark.parametrize(("raw", "safe"), [
    ("lease contract.pdf", "lease contract.pdf"),
    ("租赁合同.pdf", "租赁合同.pdf"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
    ("C:\\Users\\li\\receipt.jpg", "receipt.jpg"),
    ("\u202egpj.exe", "gpj.exe"),  # right-to-left override dropped
    ('a"b\r\nContent-Type: text.pdf', "a_bContent-Type_ text.pdf"),
    ("text/html.pdf", "html.pdf"),
    (".htaccess", "htaccess"),
    ("...", "file"),
    ("", "file"),
    ("x\x00y.pdf", "xy.pdf"),
])
def test_safe_names(raw: str, safe: str) -> None:
    got = safe_name(raw)
    assert "/" not in got and "\\" not in got and not got.startswith(".")
    assert all(c.isprintable() for c in got)
    assert got == safe


def test_long_names_keep_their_extension() -> None:
    got = safe_name("x" * 500 + ".pdf")
    assert len(got) == MAX_NAME and got.endswith(".pdf")


def test_attachment_fields_are_the_format_attachment_strings() -> None:
    schema = {"type": "object", "properties": {
        "contract": {"type": "string", "format": "attachment"},
        "when": {"type": "string", "format": "date"}, "n": {"type": "integer"}}}
    assert attachment_fields(schema) == ["contract"]
    assert attachment_fields({"type": "object"}) == []
