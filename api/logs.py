"""Logging: readable text by default, one JSON object per line with ``log_format=json``.

``configure(format, level)`` sets up the root logger once per process (``signoff serve``
and each app process call it). Every line carries the request id of the request it was
written for (``request_id``), whichever library wrote it. Signoff's own lines put their
data in ``extra`` (``method``, ``route``, ``status``...), which becomes JSON members or
``key=value`` pairs.

Nothing secret reaches a line: request bodies, headers and query strings are never
logged; fields named like a password, token, secret or authorization are masked, and so
is a bearer token or password that slips into a message.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from api.context import current_request_id

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message", "asctime", "taskName", "color_message"}
_SECRET_KEY = re.compile(r"pass(word)?|token|secret|authorization|cookie|form|data$",
                         re.IGNORECASE)
_SECRET_TEXT = re.compile(
    r"(?i)(bearer\s+|password[\"']?\s*[:=]\s*[\"']?|token[\"']?\s*[:=]\s*[\"']?)"
    r"[^\s\"',;&]+")
MASK = "[redacted]"


def redact(text: str) -> str:
    return _SECRET_TEXT.sub(lambda m: m.group(1) + MASK, text)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.__dict__.items():
        if key in _STANDARD or key.startswith("_"):
            continue
        out[key] = MASK if _SECRET_KEY.search(key) and key != "request_id" else value
    if out.get("request_id") is None:
        rid = current_request_id()
        if rid is None:
            out.pop("request_id", None)
        else:
            out["request_id"] = rid
    return out


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {"time": _time(record), "level": record.levelname,
                               "logger": record.name,
                               "message": redact(record.getMessage())}
        doc.update(_fields(record))
        if record.exc_info:
            doc["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(doc, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        pairs = " ".join(f"{k}={_text(v)}" for k, v in _fields(record).items())
        line = (f"{_time(record)} {record.levelname:<7} {record.name}: "
                f"{redact(record.getMessage())}" + (f"  {pairs}" if pairs else ""))
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return line


def _text(value: object) -> str:
    text = str(value)
    return json.dumps(text) if (not text or " " in text or "=" in text) else text


_HANDLER_NAME = "signoff"


def configure(fmt: str = "text", level: str = "INFO") -> None:
    """Send every logger's lines to stderr in ``fmt`` (``text`` or ``json``). Calling it
    again replaces Signoff's handler (never adds a second one)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn's own access log would repeat our request line without its details.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("signoff.request", "signoff.command", "signoff.worker"):
        logging.getLogger(name).disabled = False  # whatever an earlier config said
    # One INFO line per outgoing HTTP call (webhooks, chat robots) would drown the rest;
    # the worker reports failed deliveries itself.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


__all__ = ["MASK", "JsonFormatter", "TextFormatter", "configure", "redact"]
