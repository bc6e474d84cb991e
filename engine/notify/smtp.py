"""E-mail over SMTP: implicit TLS (``ssl``, port 465) or STARTTLS (port 587), optional
AUTH, a ``multipart/alternative`` of plain text and HTML.

``Message-ID`` is ``<message.id@sender-domain>`` and ``Date`` is the message's creation
time, so every retry of one message is byte-for-byte the same mail and a receiver (or a
mail filter) can drop repeats by ``Message-ID``; ``X-Signoff-Message-Id`` carries the bare
id. ``Auto-Submitted: auto-generated`` (RFC 3834) keeps out-of-office robots from
answering.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from engine.notify.message import DeliveryFailed, Message, Rendered


class SmtpChannel:
    name = "email"

    def __init__(self, host: str, port: int = 0, *, sender: str,
                 username: str | None = None, password: str | None = None,
                 starttls: bool = False, use_ssl: bool = False, timeout: float = 10.0,
                 ssl_context: ssl.SSLContext | None = None):
        if starttls and use_ssl:
            raise ValueError("choose STARTTLS or implicit TLS (SSL), not both")
        if not parseaddr(sender)[1]:
            raise ValueError(f"sender {sender!r} is not an e-mail address")
        self.host, self.timeout = host, timeout
        self.port = port or (465 if use_ssl else 587 if starttls else 25)
        self.sender, self.username, self.password = sender, username, password
        self.starttls, self.use_ssl = starttls, use_ssl
        self._tls = ssl_context or ssl.create_default_context()

    def send(self, rendered: Rendered, message: Message) -> None:
        if not message.recipient.email:
            raise DeliveryFailed(False, f"email: {message.recipient.user_id} has no e-mail address")
        mail = build_mail(rendered, message, self.sender)
        try:
            with self._connect() as smtp:
                if self.starttls:
                    smtp.starttls(context=self._tls)
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail)
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
        """Nothing pooled: one SMTP session per message."""

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=self._tls)
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def build_mail(rendered: Rendered, message: Message, sender: str) -> EmailMessage:
    """The e-mail for ``message``: the same bytes on every retry."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "signoff.invalid"
    mail = EmailMessage()
    mail["Subject"] = rendered.subject
    mail["From"] = sender
    mail["To"] = Address(display_name=message.recipient.name, addr_spec=message.recipient.email)
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = f"<{message.id}@{domain}>"
    mail["X-Signoff-Message-Id"] = message.id
    mail["X-Signoff-Kind"] = message.kind
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(rendered.text)
    mail.add_alternative(rendered.html, subtype="html")
    mail.set_boundary("=_signoff_" + hashlib.sha256(message.id.encode()).hexdigest()[:32])
    # after the body: setting the content moves Content-* headers into the parts
    mail["Content-Language"] = "zh-CN" if message.recipient.language == "zh" else "en"
    return mail


__all__ = ["SmtpChannel", "build_mail"]
