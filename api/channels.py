"""Notification channels built from settings (``SIGNOFF_SMTP_*``, ``SIGNOFF_WEBHOOK_*``,
``SIGNOFF_DINGTALK_*``, ``SIGNOFF_FEISHU_*``, ``SIGNOFF_WECOM_URL``): the one place that
reads them; ``engine.notify`` receives plain values."""

from __future__ import annotations

import ssl

from api.settings import Settings
from engine.notify import (
    Channel,
    DingTalkChannel,
    FeishuChannel,
    SmtpChannel,
    WebhookChannel,
    WeComChannel,
)


class ChannelMisconfigured(ValueError):
    """A channel's settings cannot work (a malformed secret, both TLS modes...)."""


def configured_channels(settings: Settings) -> list[str]:
    """The names of the channels ``channels_from_settings`` builds (no connection made)."""
    urls = {"email": settings.smtp_host, "webhook": settings.webhook_url,
            "dingtalk": settings.dingtalk_url, "feishu": settings.feishu_url,
            "wecom": settings.wecom_url}
    return [name for name, value in urls.items() if value]


def channels_from_settings(settings: Settings) -> dict[str, Channel]:
    """The configured channels by name (``email``, ``webhook``, ``dingtalk``, ``feishu``,
    ``wecom``); a channel whose URL or host is unset is absent. The caller closes them."""
    out: dict[str, Channel] = {}
    try:
        if settings.smtp_host:
            context = ssl.create_default_context(
                cafile=str(settings.smtp_cafile) if settings.smtp_cafile else None)
            out["email"] = SmtpChannel(
                settings.smtp_host, settings.smtp_port, sender=settings.smtp_from,
                username=settings.smtp_username, password=settings.smtp_password,
                starttls=settings.smtp_starttls, use_ssl=settings.smtp_ssl,
                ssl_context=context)
        if settings.webhook_url:
            out["webhook"] = WebhookChannel(settings.webhook_url, settings.webhook_secret)
        if settings.dingtalk_url:
            out["dingtalk"] = DingTalkChannel(settings.dingtalk_url, settings.dingtalk_secret)
        if settings.feishu_url:
            out["feishu"] = FeishuChannel(settings.feishu_url, settings.feishu_secret)
        if settings.wecom_url:
            out["wecom"] = WeComChannel(settings.wecom_url)
    except Exception as exc:
        for channel in out.values():
            channel.close()
        raise ChannelMisconfigured(f"notification settings: {exc}") from exc
    return out


__all__ = ["ChannelMisconfigured", "channels_from_settings", "configured_channels"]
