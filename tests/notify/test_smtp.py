"""E-mail through a real SMTP server on localhost (aiosmtpd), read back as received."""

from __future__ import annotations

import select
import ssl
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage

import pytest

from engine.notify import DeliveryFailed, SmtpChannel, deliver, render
from tests.notify.conftest import PASSWORD, USER, SmtpServer, message
from tests.notify.servers import closed_port

PUBLIC = "https://signoff.example.com"
SENDER = "Signoff <signoff@example.com>"


def _parts(mail: EmailMessage) -> tuple[str, str]:
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def _send(server: SmtpServer, msg_kwargs: dict[str, object] | None = None, **channel: object
          ) -> None:
    m = message(**(msg_kwargs or {}))  # type: ignore[arg-type]
    ch = SmtpChannel(server.host, server.port, sender=SENDER, **channel)  # type: ignore[arg-type]
    deliver(ch, render(m, PUBLIC), m)


def test_english_mail_has_both_parts_and_the_link(smtp_server: SmtpServer) -> None:
    _send(smtp_server)
    [mail] = smtp_server.mailbox.mails
    assert mail["Subject"] == "Approval needed: SO-0042 Shanghai Jing'an store"
    assert mail["To"].addresses[0].addr_spec == "li.na@example.com"
    assert mail["To"].addresses[0].display_name == "Li Na"
    assert mail.get_content_type() == "multipart/alternative"
    text, html = _parts(mail)
    link = f"{PUBLIC}/tasks/7f3e"
    assert "“Regional director” of SO-0042 Shanghai Jing'an store is waiting" in text
    assert f"Open the task: {link}" in text
    assert "Due: Tue 1 Dec 2026, 17:00 CST" in text  # shown in the recipient's zone
    assert f'href="{link}"' in html
    assert "Shanghai Jing&#39;an store" in html  # values are escaped in HTML
    assert smtp_server.mailbox.envelopes[0].rcpt_tos == ["li.na@example.com"]


def test_chinese_mail(smtp_server: SmtpServer) -> None:
    _send(smtp_server, {"kind": "returned", "language": "zh"})
    [mail] = smtp_server.mailbox.mails
    assert mail["Subject"] == "已退回给你：SO-0042 上海静安店"
    assert mail["To"].addresses[0].display_name == "李娜"
    assert mail["Content-Language"] == "zh-CN"
    text, html = _parts(mail)
    assert "Deng Hao 将 SO-0042 上海静安店 退回给你。" in text
    assert "原因：Rent above budget" in text
    assert f"查看申请：{PUBLIC}/tasks/7f3e" in text
    assert "李娜，你好：" in html and f'href="{PUBLIC}/tasks/7f3e"' in html


def test_every_retry_is_the_same_mail_with_the_message_id(smtp_server: SmtpServer) -> None:
    _send(smtp_server)
    _send(smtp_server)
    first, second = smtp_server.mailbox.mails
    assert first["Message-ID"] == "<0f8c5a8e-6f7d-4bde-9a8e-3c1c2b1a0d01@example.com>"
    assert first["X-Signoff-Message-Id"] == "0f8c5a8e-6f7d-4bde-9a8e-3c1c2b1a0d01"
    assert first["Auto-Submitted"] == "auto-generated"
    assert first.as_bytes() == second.as_bytes()  # a receiver dedupes by Message-ID


def test_html_escapes_hostile_values(smtp_server: SmtpServer) -> None:
    _send(smtp_server, {"request_title": "<script>alert(1)</script>", "reason": '"><img src=x>'})
    [mail] = smtp_server.mailbox.mails
    _, html = _parts(mail)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_starttls_and_auth(smtp_starttls_server: SmtpServer, client_tls: ssl.SSLContext) -> None:
    _send(smtp_starttls_server, starttls=True, username=USER, password=PASSWORD,
          ssl_context=client_tls)
    [mail] = smtp_starttls_server.mailbox.mails
    assert mail["Subject"].startswith("Approval needed")
    assert smtp_starttls_server.auth is not None and smtp_starttls_server.auth.attempts == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_and_auth(smtps_server: SmtpServer, client_tls: ssl.SSLContext) -> None:
    _send(smtps_server, use_ssl=True, username=USER, password=PASSWORD, ssl_context=client_tls)
    assert len(smtps_server.mailbox.mails) == 1


def test_sessions_are_reused_across_messages(smtp_starttls_server: SmtpServer,
                                            client_tls: ssl.SSLContext) -> None:
    server = smtp_starttls_server
    ch = SmtpChannel(server.host, server.port, sender=SENDER, starttls=True, username=USER,
                     password=PASSWORD, ssl_context=client_tls)
    for i in range(3):
        m = message(msg_id=f"reuse-{i}")
        deliver(ch, render(m, PUBLIC), m)
    ch.close()
    assert [mail["X-Signoff-Message-Id"] for mail in server.mailbox.mails] == [
        "reuse-0", "reuse-1", "reuse-2"]
    assert len(set(server.mailbox.peers)) == 1  # one TLS handshake and one AUTH for all
    assert server.auth is not None and server.auth.attempts == 1


def test_a_session_dropped_by_the_server_is_replaced(smtp_dropping_server: SmtpServer) -> None:
    server = smtp_dropping_server
    ch = SmtpChannel(server.host, server.port, sender=SENDER)
    first, second = message(msg_id="before"), message(msg_id="after")
    deliver(ch, render(first, PUBLIC), first)
    _wait_until_hung_up(ch)
    deliver(ch, render(second, PUBLIC), second)
    assert [m["X-Signoff-Message-Id"] for m in server.mailbox.mails] == ["before", "after"]
    assert len(set(server.mailbox.peers)) == 2


def _wait_until_hung_up(ch: SmtpChannel, limit: float = 10.0) -> None:
    """Wait (at most ``limit`` seconds) until the server has closed the pooled session:
    its socket turns readable (the 421 goodbye, then end of file)."""
    [(session, _)] = ch._idle
    assert session.sock is not None
    readable, _, _ = select.select([session.sock], [], [], limit)
    assert readable, "the server kept the idle session open"


def test_concurrent_senders_each_get_a_session(smtp_server: SmtpServer) -> None:
    ch = SmtpChannel(smtp_server.host, smtp_server.port, sender=SENDER)

    def one(i: int) -> None:
        m = message(msg_id=f"t{i}")
        deliver(ch, render(m, PUBLIC), m)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(20)))
    ch.close()
    assert sorted(m["X-Signoff-Message-Id"] for m in smtp_server.mailbox.mails) == sorted(
        f"t{i}" for i in range(20))


def test_wrong_password_is_not_retryable(smtp_starttls_server: SmtpServer,
                                         client_tls: ssl.SSLContext) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        _send(smtp_starttls_server, starttls=True, username=USER, password="wrong",
              ssl_context=client_tls)
    assert not failed.value.retryable and "535" in failed.value.reason
    assert smtp_starttls_server.mailbox.mails == []


def test_untrusted_certificate_is_not_retryable(smtp_starttls_server: SmtpServer) -> None:
    with pytest.raises(DeliveryFailed) as failed:  # default trust store: the test CA is unknown
        _send(smtp_starttls_server, starttls=True, username=USER, password=PASSWORD)
    assert not failed.value.retryable and "certificate" in failed.value.reason


def test_server_that_requires_tls_refuses_plain_sending(smtp_starttls_server: SmtpServer
                                                        ) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        _send(smtp_starttls_server)
    assert not failed.value.retryable  # 530 Must issue a STARTTLS command first
    assert "530" in failed.value.reason


def test_refused_recipient_is_not_retryable(smtp_server: SmtpServer) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        _send(smtp_server, {"email": "reject.me@example.com"})
    assert not failed.value.retryable and "550" in failed.value.reason


def test_temporary_refusal_is_retryable(smtp_server: SmtpServer) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        _send(smtp_server, {"email": "later@example.com"})
    assert failed.value.retryable and "451" in failed.value.reason


def test_unreachable_server_is_retryable() -> None:
    m = message()
    ch = SmtpChannel("127.0.0.1", closed_port(), sender=SENDER, timeout=2)
    with pytest.raises(DeliveryFailed) as failed:
        deliver(ch, render(m, PUBLIC), m)
    assert failed.value.retryable


def test_recipient_without_address_is_not_retryable(smtp_server: SmtpServer) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        _send(smtp_server, {"email": ""})
    assert not failed.value.retryable
    assert smtp_server.mailbox.mails == []


def test_both_tls_modes_at_once_is_refused() -> None:
    with pytest.raises(ValueError, match="not both"):
        SmtpChannel("localhost", sender=SENDER, starttls=True, use_ssl=True)
