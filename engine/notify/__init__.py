"""Notifications: render a message and deliver it over one channel.

No database, no settings: the outbox worker reads a row, rebuilds the ``Message``
(``Message.from_dict``), renders it and calls ``deliver`` (``engine.worker.channel_sender``);
``api.channels`` builds the channels from settings. Everything here is synchronous and
thread-safe.

Public interface::

    Message(id, kind, recipient, data, created_at)   # frozen; id = idempotency id
    Recipient(user_id, name, email="", language="en", timezone="UTC")
    KINDS        task_assigned reminder escalated returned approved rejected now_with
                 copied at_risk daily_report test digest
    render(message, public_url="") -> Rendered
        Rendered: subject, title, sentence, fields, link, link_label, items, text, html,
        markdown, tone
    deliver(channel, rendered, message) -> None      # raises DeliveryFailed
    DeliveryFailed(retryable: bool, reason: str, retry_after: float | None)

    Channels (each has ``name``, ``send(rendered, message)`` and ``close()``):
    SmtpChannel(host, port, sender=, username, password, starttls, use_ssl, ...) "email"
    WebhookChannel(url, secret="whsec_...")        Standard Webhooks signed    "webhook"
    DingTalkChannel(url, secret)                   actionCard, timestamp+sign  "dingtalk"
    FeishuChannel(url, secret)                     interactive card, sign      "feishu"
    WeComChannel(url)                              markdown, key in the URL    "wecom"

    Timing (pure: prefs and ``now`` in, a time out):
    Preferences(channels, language, timezone, quiet_start, quiet_end, digest,
                digest_times)
    release_at(prefs, kind, now) -> datetime       # when this message may go
    in_quiet_hours(prefs, now) -> bool
    group_digests(messages) -> list[Message]       # one ``digest`` message per person

Idempotency: ``Message.id`` is kept across retries. It becomes the e-mail ``Message-ID``
(``<id@sender-domain>``) and ``X-Signoff-Message-Id``, and the ``webhook-id`` header, so a
receiver drops repeats (the chat robots have no such field). A retry after a crash
mid-delivery may deliver twice; it never invents an id.

Failures: ``DeliveryFailed.retryable`` is true for timeouts, connection errors, HTTP 5xx,
408, 425 and 429 (with ``retry_after`` from ``Retry-After``), SMTP 4xx and the chat
vendors' rate-limit codes; false for other HTTP 4xx, SMTP 5xx, bad credentials, a
recipient without an e-mail address, and a receiver's non-zero error code.
"""

from engine.notify.channel import Channel, deliver
from engine.notify.message import (
    KINDS,
    LANGUAGES,
    DeliveryFailed,
    Kind,
    Language,
    Message,
    Recipient,
    Rendered,
)
from engine.notify.render import render
from engine.notify.robots import (
    DingTalkChannel,
    FeishuChannel,
    WeComChannel,
    dingtalk_sign,
    feishu_sign,
)
from engine.notify.smtp import SmtpChannel
from engine.notify.timing import Preferences, group_digests, in_quiet_hours, release_at
from engine.notify.webhook import WebhookChannel

__all__ = [
    "KINDS", "LANGUAGES", "Channel", "DeliveryFailed", "DingTalkChannel", "FeishuChannel",
    "Kind", "Language", "Message", "Preferences", "Recipient", "Rendered", "SmtpChannel",
    "WeComChannel", "WebhookChannel", "deliver", "dingtalk_sign", "feishu_sign",
    "group_digests", "in_quiet_hours", "release_at", "render",
]
