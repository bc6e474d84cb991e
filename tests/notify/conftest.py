"""Fixtures: SMTP servers (plain; STARTTLS with AUTH; implicit TLS) on free localhost
ports, with a certificate from a throwaway CA, and an HTTP receiver factory."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller

from engine.notify import Message, Recipient
from tests.notify.servers import Authenticator, HttpReceiver, Mailbox, Responder, free_port

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
USER = "mailer"
PASSWORD = "s3cret-pass"


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def client_tls(ca: trustme.CA) -> ssl.SSLContext:
    """What a client that trusts the test CA uses."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def _server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


class SmtpServer:
    def __init__(self, controller: Controller, mailbox: Mailbox, port: int,
                 auth: Authenticator | None = None):
        self.controller, self.mailbox, self.port, self.auth = controller, mailbox, port, auth
        self.host = "127.0.0.1"


def start_smtp(mailbox: Mailbox | None = None, **kwargs: Any
               ) -> tuple[Controller, Mailbox, int]:
    """An aiosmtpd server on a free localhost port keeping mail in ``mailbox``."""
    mailbox = mailbox or Mailbox()
    for attempt in range(5):  # another test process may take the free port first
        port = free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
        try:
            controller.start()
        except (OSError, RuntimeError):
            if attempt == 4:
                raise
            continue
        return controller, mailbox, port
    raise AssertionError("unreachable")


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Plain SMTP, no AUTH (a relay on the same host)."""
    controller, mailbox, port = start_smtp()
    yield SmtpServer(controller, mailbox, port)
    controller.stop()


@pytest.fixture
def smtp_dropping_server() -> Iterator[SmtpServer]:
    """Plain SMTP that hangs up on a session idle for a fifth of a second."""
    controller, mailbox, port = start_smtp(timeout=0.2)
    yield SmtpServer(controller, mailbox, port)
    controller.stop()


@pytest.fixture
def smtp_starttls_server(ca: trustme.CA) -> Iterator[SmtpServer]:
    """STARTTLS required before anything else; AUTH required to send."""
    auth = Authenticator(USER, PASSWORD)
    controller, mailbox, port = start_smtp(
        tls_context=_server_tls(ca), require_starttls=True, authenticator=auth,
        auth_required=True)
    yield SmtpServer(controller, mailbox, port, auth)
    controller.stop()


@pytest.fixture
def smtps_server(ca: trustme.CA) -> Iterator[SmtpServer]:
    """Implicit TLS from the first byte (SMTPS), AUTH required."""
    auth = Authenticator(USER, PASSWORD)
    controller, mailbox, port = start_smtp(
        ssl_context=_server_tls(ca), authenticator=auth, auth_required=True,
        auth_require_tls=False)  # the whole session is TLS; aiosmtpd only tracks STARTTLS
    yield SmtpServer(controller, mailbox, port, auth)
    controller.stop()


@pytest.fixture
def receiver() -> Iterator[Callable[[Responder], HttpReceiver]]:
    """Start an HTTP receiver answering with ``respond``; all are stopped at the end."""
    started: list[HttpReceiver] = []

    def make(respond: Responder) -> HttpReceiver:
        r = HttpReceiver(respond).start()
        started.append(r)
        return r

    yield make
    for r in started:
        r.stop()


def message(kind: str = "task_assigned", language: str = "en", *, email: str = "li.na@example.com",
            msg_id: str = "0f8c5a8e-6f7d-4bde-9a8e-3c1c2b1a0d01",
            **data: Any) -> Message:
    """A message with realistic data (override any key)."""
    base: dict[str, Any] = {
        "process": "New store opening" if language == "en" else "新店开业",
        "request_title": "Shanghai Jing'an store" if language == "en" else "上海静安店",
        "request_number": "SO-0042",
        "step": "Regional director" if language == "en" else "区域总监",
        "initiator": "Wang Fang", "actor": "Deng Hao", "holders": ["Zhao Lei", "Sun Li"],
        "due": "2026-12-01T09:00:00+00:00", "reason": "Rent above budget",
        "path": "/tasks/7f3e", "period": "2026-11-30", "lines": ["12 decided", "3 overdue"],
        "channel": "email", "sent_by": "Admin"}
    base.update(data)
    recipient = Recipient("li.na", "Li Na" if language == "en" else "李娜", email,
                          language, "Asia/Shanghai")  # type: ignore[arg-type]
    return Message(msg_id, kind, recipient, base, NOW)  # type: ignore[arg-type]
