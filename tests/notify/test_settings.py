"""Channels built from settings (``SIGNOFF_*``) deliver like the ones built by hand."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from api.channels import ChannelMisconfigured, channels_from_settings
from api.settings import Settings
from engine.notify import render
from tests.notify.conftest import SmtpServer, message


def test_nothing_configured_means_no_channels(tmp_path: Path) -> None:
    assert channels_from_settings(Settings(_env_file=None)) == {}  # type: ignore[call-arg]


def test_each_setting_turns_its_channel_on(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "whsec_" + base64.b64encode(b"0123456789abcdef").decode()
    for key, value in {
        "SIGNOFF_SMTP_HOST": "127.0.0.1", "SIGNOFF_SMTP_STARTTLS": "true",
        "SIGNOFF_WEBHOOK_URL": "http://127.0.0.1:9/h", "SIGNOFF_WEBHOOK_SECRET": secret,
        "SIGNOFF_DINGTALK_URL": "http://127.0.0.1:9/d", "SIGNOFF_DINGTALK_SECRET": "SECx",
        "SIGNOFF_FEISHU_URL": "http://127.0.0.1:9/f", "SIGNOFF_WECOM_URL": "http://127.0.0.1:9/w",
    }.items():
        monkeypatch.setenv(key, value)
    channels = channels_from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert sorted(channels) == ["dingtalk", "email", "feishu", "webhook", "wecom"]
    assert getattr(channels["email"], "port", None) == 587
    for ch in channels.values():
        ch.close()


def test_a_malformed_webhook_secret_is_a_clear_error() -> None:
    with pytest.raises(ChannelMisconfigured, match="notification settings"):
        channels_from_settings(Settings(webhook_url="http://x/", webhook_secret="whsec_%%%"))


def test_email_from_settings_reaches_the_server(smtp_server: SmtpServer) -> None:
    settings = Settings(smtp_host=smtp_server.host, smtp_port=smtp_server.port,
                        smtp_from="Signoff <noreply@shop.example.cn>",
                        public_url="https://signoff.shop.example.cn")
    channel = channels_from_settings(settings)["email"]
    m = message("approved", "zh")
    channel.send(render(m, settings.public_url), m)
    [mail] = smtp_server.mailbox.mails
    assert mail["From"] == "Signoff <noreply@shop.example.cn>"
    assert mail["Message-ID"] == f"<{m.id}@shop.example.cn>"
    assert "https://signoff.shop.example.cn/tasks/7f3e" in mail.get_body(("plain",)).get_content()
