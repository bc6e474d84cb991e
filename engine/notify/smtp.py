"""E-mail over SMTP: implicit TLS (``ssl``, port 465) or STARTTLS (port 587), optional
AUTH, a ``multipart/alternative`` of plain text and HTML.

``Message-ID`` is ``<message.id@sender-domain>``, ``Date`` is the message's creation time
and the MIME boundary derives from the id, so every retry of one message is byte-for-byte
the same mail and a receiver (or a mail filter) can drop repeats by ``Message-ID``;
``X-Signoff-Message-Id`` carries the bare id. ``Auto-Submitted: auto-generated``
(RFC 3834) keeps out-of-office robots from answering.

Sessions are reused. When a reused session turns out to be dead (the server hung up or
answered 421), the mail is sent once more on a fresh session: if the server had in fact
accepted it before hanging up, the receiver sees the same ``Message-ID`` twice.
"""

from __future__ import annotations

import base64
import hashlib
import smtplib
import socket
import ssl
import threading
import time
from email.header import Header
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr

from engine.notify.message import DeliveryFailed, Message, Rendered


class SmtpChannel:
    """Sends each message in one SMTP transaction. Sessions are kept open and reused
    (up to ``max_idle`` of them, one per sending thread of the worker, each for
    ``idle_seconds``), so a burst of reminders does
    not pay a TCP, TLS and AUTH handshake per mail; a session the server has dropped is
    replaced transparently. Thread-safe: each thread takes its own session."""

    name = "email"

    def __init__(self, host: str, port: int = 0, *, sender: str,
                 username: str | None = None, password: str | None = None,
                 starttls: bool = False, use_ssl: bool = False, timeout: float = 10.0,
                 ssl_context: ssl.SSLContext | None = None, local_hostname: str | None = None,
                 max_idle: int = 8, idle_seconds: float = 30.0):
        if starttls and use_ssl:
            raise ValueError("choose STARTTLS or implicit TLS (SSL), not both")
        if not parseaddr(sender)[1]:
            raise ValueError(f"sender {sender!r} is not an e-mail address")
        self.host, self.timeout = host, timeout
        self.port = port or (465 if use_ssl else 587 if starttls else 25)
        self.sender, self.username, self.password = sender, username, password
        self.starttls, self.use_ssl = starttls, use_ssl
        self._tls = ssl_context or ssl.create_default_context()
        self._local_hostname = local_hostname
        self._max_idle, self._idle_seconds = max_idle, idle_seconds
        self._idle: list[tuple[smtplib.SMTP, float]] = []
        self._lock = threading.Lock()

    def send(self, rendered: Rendered, message: Message) -> None:
        if not message.recipient.email:
            raise DeliveryFailed(False, f"email: {message.recipient.user_id} has no e-mail address")
        mail = build_mail(rendered, message, self.sender)
        try:
            self._send(mail, parseaddr(self.sender)[1], message.recipient.email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryFailed(not all(500 <= c < 600 for c in codes),
                                 f"email: recipient refused {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(
                exc.smtp_error, bytes) else str(exc.smtp_error)
            # 5xx is permanent; 4xx, and -1 for a dropped connection, may pass later
            raise DeliveryFailed(not 500 <= exc.smtp_code < 600,
                                 f"email: {exc.smtp_code} {text}") from exc
        except smtplib.SMTPNotSupportedError as exc:  # no STARTTLS or AUTH offered
            raise DeliveryFailed(False, f"email: {exc}") from exc
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryFailed(False, f"email: TLS certificate refused: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timed out, TLS
            raise DeliveryFailed(True, f"email: {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        """Quit the idle sessions; later sends open new ones."""
        with self._lock:
            idle, self._idle = self._idle, []
        for session, _ in idle:
            _quit(session)

    def _send(self, mail: MIMEMultipart, sender: str, recipient: str) -> None:
        session = self._take()
        if session is not None:
            try:
                session.send_message(mail, sender, [recipient])
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                _quit(session)  # dropped while idle: send once more on a fresh session
            except smtplib.SMTPResponseException as exc:
                _quit(session)
                if exc.smtp_code != 421:  # 421: the server closed the idle session
                    raise
            except BaseException:
                _quit(session)
                raise
            else:
                self._give_back(session)
                return
        session = self._open()
        try:
            session.send_message(mail, sender, [recipient])
        except BaseException:
            _quit(session)
            raise
        self._give_back(session)

    def _open(self) -> smtplib.SMTP:
        if self._local_hostname is None:
            self._local_hostname = socket.getfqdn()  # once, not per connection
        session: smtplib.SMTP
        if self.use_ssl:
            session = smtplib.SMTP_SSL(self.host, self.port, self._local_hostname,
                                       timeout=self.timeout, context=self._tls)
        else:
            session = smtplib.SMTP(self.host, self.port, self._local_hostname,
                                   timeout=self.timeout)
        try:
            if self.starttls:
                session.starttls(context=self._tls)
            if self.username:
                session.login(self.username, self.password or "")
        except BaseException:
            _quit(session)
            raise
        return session

    def _take(self) -> smtplib.SMTP | None:
        now = time.monotonic()
        stale: list[smtplib.SMTP] = []
        found = None
        with self._lock:
            while self._idle and found is None:
                session, since = self._idle.pop()
                if now - since < self._idle_seconds:
                    found = session
                else:
                    stale.append(session)
        for session in stale:
            _quit(session)
        return found

    def _give_back(self, session: smtplib.SMTP) -> None:
        with self._lock:
            if len(self._idle) < self._max_idle:
                self._idle.append((session, time.monotonic()))
                return
        _quit(session)


def _quit(session: smtplib.SMTP) -> None:
    try:
        session.quit()
    except (smtplib.SMTPException, OSError):
        session.close()


def build_mail(rendered: Rendered, message: Message, sender: str) -> MIMEMultipart:
    """The e-mail for ``message``: the same bytes on every retry. Built with the classic
    ``email.mime`` classes, about six times cheaper than ``EmailMessage``'s header
    registry, which matters when a worker sends a burst of reminders."""
    name, address = parseaddr(sender)
    domain = address.rpartition("@")[2] or "signoff.invalid"
    boundary = "=_signoff_" + hashlib.sha256(message.id.encode()).hexdigest()[:32]
    mail = MIMEMultipart("alternative", boundary=boundary)
    # an encoded word only where needed; the generator folds long subjects
    mail["Subject"] = rendered.subject if rendered.subject.isascii() else Header(
        rendered.subject, "utf-8")  # type: ignore[assignment]
    mail["From"] = formataddr((name, address), "utf-8")
    mail["To"] = formataddr((message.recipient.name, message.recipient.email), "utf-8")
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = f"<{message.id}@{domain}>"
    mail["X-Signoff-Message-Id"] = message.id
    mail["X-Signoff-Kind"] = message.kind
    mail["Auto-Submitted"] = "auto-generated"
    mail["Content-Language"] = "zh-CN" if message.recipient.language == "zh" else "en"
    mail.attach(MIMEText(rendered.text, "plain", "utf-8"))
    chart = message.data.get("chart_png")
    if not chart:
        mail.attach(MIMEText(rendered.html, "html", "utf-8"))
        return mail
    # the HTML and its chart (an inline PNG: mail clients show images, not SVG)
    related = MIMEMultipart("related", boundary=boundary + "_r")
    related.attach(MIMEText(rendered.html, "html", "utf-8"))
    image = MIMEImage(base64.b64decode(chart), "png")
    image["Content-ID"] = "<chart@signoff>"
    image["Content-Disposition"] = 'inline; filename="chart.png"'
    related.attach(image)
    mail.attach(related)
    return mail


__all__ = ["SmtpChannel", "build_mail"]
