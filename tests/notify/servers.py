"""Real local receivers for the notification tests: an SMTP server (aiosmtpd) that keeps
what it accepted, and a threaded HTTP server that records each request and answers with
whatever the test sets."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.smtp import AuthResult, Envelope, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_port() -> int:
    """A port on localhost where nothing listens (connecting is refused at once)."""
    return free_port()


class Mailbox:
    """An aiosmtpd handler: keeps every accepted mail; refuses recipients whose local part
    starts with ``reject`` (550) or ``later`` (451 at DATA). ``delay``: seconds each mail
    takes to accept (without blocking other sessions)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.mails: list[EmailMessage] = []
        self.envelopes: list[Envelope] = []
        self.peers: list[Any] = []  # the client's address per mail: one per SMTP session
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if any(r.startswith("later") for r in envelope.rcpt_tos):
            return "451 4.3.0 try again later"
        if self.delay:
            await asyncio.sleep(self.delay)
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        with self.lock:
            self.mails.append(mail)
            self.envelopes.append(envelope)
            self.peers.append(session.peer)
        return "250 Message accepted for delivery"


class Authenticator:
    """Accepts one user name and password (AUTH PLAIN / LOGIN)."""

    def __init__(self, username: str, password: str):
        self.username, self.password = username.encode(), password.encode()
        self.attempts = 0

    def __call__(self, server: Any, session: Session, envelope: Envelope,
                 mechanism: str, auth_data: Any) -> AuthResult:
        self.attempts += 1
        ok = (getattr(auth_data, "login", None) == self.username
              and getattr(auth_data, "password", None) == self.password)
        return AuthResult(success=ok, handled=False)


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


Responder = Callable[[Received], tuple[int, dict[str, str], bytes]]


@dataclass
class HttpReceiver:
    """A real HTTP server on 127.0.0.1; ``respond`` decides each answer."""

    respond: Responder
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                split = urlsplit(self.path)
                got = Received(
                    "POST", split.path,
                    {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()},
                    {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                receiver.requests.append(got)
                status, headers, body = receiver.respond(got)
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
