"""DingTalk, Feishu/Lark and WeCom custom robots against local receivers that check the
signature and the payload as each vendor documents them, and answer as the vendor does
(HTTP 200 with an error code when refusing)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from engine.notify import (
    DeliveryFailed,
    DingTalkChannel,
    FeishuChannel,
    WeComChannel,
    deliver,
    render,
)
from engine.notify.robots import fit
from tests.notify.conftest import message
from tests.notify.servers import HttpReceiver, Received, Responder, closed_port

PUBLIC = "https://signoff.example.com"
DING_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
FEISHU_SECRET = "y7Ab3kQ2pLz9Xw"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
Factory = Callable[[Responder], HttpReceiver]


def _json(status: int, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


def dingtalk_receiver(secret: str) -> Responder:
    """DingTalk's check: ``timestamp`` (ms, within an hour) and ``sign`` =
    urlencode(base64(HmacSHA256(secret, timestamp + "\\n" + secret))) in the query."""
    def respond(got: Received) -> tuple[int, dict[str, str], bytes]:
        if got.query.get("access_token") != "tok123":
            return _json(200, {"errcode": 300001, "errmsg": "token is not exist"})
        ts = got.query.get("timestamp", "")
        string_to_sign = f"{ts}\n{secret}".encode()
        expected = base64.b64encode(
            hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()).decode()
        fresh = ts.isdigit() and abs(time.time() * 1000 - int(ts)) < 3600 * 1000
        if not fresh or not hmac.compare_digest(got.query.get("sign", ""), expected):
            return _json(200, {"errcode": 310000, "errmsg": "sign not match"})
        return _json(200, {"errcode": 0, "errmsg": "ok"})
    return respond


def feishu_receiver(secret: str) -> Responder:
    """Feishu's check: body ``timestamp`` (s, within an hour) and ``sign`` =
    base64(HmacSHA256(key=timestamp + "\\n" + secret, message=""))."""
    def respond(got: Received) -> tuple[int, dict[str, str], bytes]:
        body = json.loads(got.body)
        ts = str(body.get("timestamp", ""))
        key = f"{ts}\n{secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        fresh = ts.isdigit() and abs(time.time() - int(ts)) < 3600
        if not fresh or not hmac.compare_digest(str(body.get("sign", "")), expected):
            return _json(200, {"code": 19021, "data": {}, "msg": "sign match fail or "
                               "timestamp is not within one hour from current time"})
        return _json(200, {"code": 0, "data": {}, "msg": "success"})
    return respond


def wecom_receiver(got: Received) -> tuple[int, dict[str, str], bytes]:
    if got.path != "/cgi-bin/webhook/send" or got.query.get("key") != WECOM_KEY:
        return _json(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    body = json.loads(got.body)
    content = body.get("markdown", {}).get("content", "")
    if body.get("msgtype") != "markdown" or not content or len(content.encode()) > 4096:
        return _json(200, {"errcode": 40058, "errmsg": "markdown.content exceed max length"})
    return _json(200, {"errcode": 0, "errmsg": "ok"})


def _send(channel: Any, kind: str = "task_assigned", language: str = "en",
          **data: Any) -> None:
    m = message(kind, language, **data)
    try:
        deliver(channel, render(m, PUBLIC), m)
    finally:
        channel.close()


# --- DingTalk ---------------------------------------------------------------------

def test_dingtalk_signed_action_card(receiver: Factory) -> None:
    r = receiver(dingtalk_receiver(DING_SECRET))
    _send(DingTalkChannel(f"{r.url}/robot/send?access_token=tok123", DING_SECRET), language="zh")
    [got] = r.requests
    body = json.loads(got.body)
    assert body["msgtype"] == "actionCard"
    card = body["actionCard"]
    assert card["title"] == "待审批：SO-0042 上海静安店"
    assert card["singleTitle"] == "去处理" and card["singleURL"] == f"{PUBLIC}/tasks/7f3e"
    assert "上海静安店 的「区域总监」环节等待你审批" in card["text"]
    assert "Signoff" in card["text"]  # for robots secured by the keyword "Signoff"


def test_dingtalk_wrong_secret_is_refused_not_retryable(receiver: Factory) -> None:
    r = receiver(dingtalk_receiver(DING_SECRET))
    with pytest.raises(DeliveryFailed) as failed:
        _send(DingTalkChannel(f"{r.url}/robot/send?access_token=tok123", "SECwrong"))
    assert not failed.value.retryable and "310000" in failed.value.reason


def test_dingtalk_without_link_sends_markdown(receiver: Factory) -> None:
    r = receiver(dingtalk_receiver(DING_SECRET))
    _send(DingTalkChannel(f"{r.url}/robot/send?access_token=tok123", DING_SECRET),
          "approved", path=None)
    body = json.loads(r.requests[0].body)
    assert body["msgtype"] == "markdown" and body["markdown"]["title"].startswith("Approved")


def test_dingtalk_rate_limit_is_retryable(receiver: Factory) -> None:
    r = receiver(lambda got: _json(200, {"errcode": 130101,
                                         "errmsg": "send too fast, exceed 20 times per minute"}))
    with pytest.raises(DeliveryFailed) as failed:
        _send(DingTalkChannel(r.url, None))
    assert failed.value.retryable and "130101" in failed.value.reason


# --- Feishu / Lark ----------------------------------------------------------------

def test_feishu_signed_interactive_card(receiver: Factory) -> None:
    r = receiver(feishu_receiver(FEISHU_SECRET))
    _send(FeishuChannel(f"{r.url}/open-apis/bot/v2/hook/abc", FEISHU_SECRET), "rejected")
    body = json.loads(r.requests[0].body)
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"]["title"] == {"tag": "plain_text",
                                       "content": "Rejected: SO-0042 Shanghai Jing'an store"}
    assert card["header"]["template"] == "red"
    [button] = card["elements"][-1]["actions"]
    assert button["tag"] == "button" and button["url"] == f"{PUBLIC}/tasks/7f3e"
    assert button["text"]["content"] == "Open the request"
    contents = [f["text"]["content"] for f in card["elements"][1]["fields"]]
    assert "**Reason**\nRent above budget" in contents


def test_feishu_wrong_secret_is_refused(receiver: Factory) -> None:
    r = receiver(feishu_receiver(FEISHU_SECRET))
    with pytest.raises(DeliveryFailed) as failed:
        _send(FeishuChannel(r.url, "not-the-secret"))
    assert not failed.value.retryable and "19021" in failed.value.reason


def test_feishu_unsigned_when_no_secret(receiver: Factory) -> None:
    r = receiver(lambda got: _json(200, {"StatusCode": 0, "StatusMessage": "success"}))
    _send(FeishuChannel(r.url))
    body = json.loads(r.requests[0].body)
    assert "sign" not in body and "timestamp" not in body


def test_feishu_rate_limit_is_retryable(receiver: Factory) -> None:
    r = receiver(lambda got: _json(200, {"code": 11232, "msg": "frequency limited"}))
    with pytest.raises(DeliveryFailed) as failed:
        _send(FeishuChannel(r.url, FEISHU_SECRET))
    assert failed.value.retryable


# --- WeCom --------------------------------------------------------------------------

def test_wecom_markdown_with_link(receiver: Factory) -> None:
    r = receiver(wecom_receiver)
    _send(WeComChannel(f"{r.url}/cgi-bin/webhook/send?key={WECOM_KEY}"), "escalated", "zh")
    body = json.loads(r.requests[0].body)
    content = body["markdown"]["content"]
    assert content.startswith("### 已升级：SO-0042 上海静安店")
    assert f"[去处理]({PUBLIC}/tasks/7f3e)" in content
    assert "- **当前处理人**: Zhao Lei、Sun Li" in content


def test_wecom_long_content_is_cut_but_keeps_the_link(receiver: Factory) -> None:
    r = receiver(wecom_receiver)
    _send(WeComChannel(f"{r.url}/cgi-bin/webhook/send?key={WECOM_KEY}"), "daily_report",
          lines=[f"第 {i} 行：" + "审批" * 40 for i in range(200)], path="/dashboard")
    content = json.loads(r.requests[0].body)["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert content.endswith(f"({PUBLIC}/dashboard)")


def test_wecom_invalid_key_is_not_retryable(receiver: Factory) -> None:
    r = receiver(wecom_receiver)
    with pytest.raises(DeliveryFailed) as failed:
        _send(WeComChannel(f"{r.url}/cgi-bin/webhook/send?key=wrong"))
    assert not failed.value.retryable and "93000" in failed.value.reason


@pytest.mark.parametrize("code", [45009, -1])
def test_wecom_busy_is_retryable(receiver: Factory, code: int) -> None:
    r = receiver(lambda got: _json(200, {"errcode": code, "errmsg": "api freq out of limit"}))
    with pytest.raises(DeliveryFailed) as failed:
        _send(WeComChannel(r.url))
    assert failed.value.retryable


# --- transport failures, shared by the three -----------------------------------------

@pytest.mark.parametrize("make", [DingTalkChannel, FeishuChannel, WeComChannel])
def test_robot_http_failures(receiver: Factory, make: Any) -> None:
    for status, retryable in ((500, True), (429, True), (400, False)):
        r = receiver(lambda got, s=status: (s, {}, b"error"))
        with pytest.raises(DeliveryFailed) as failed:
            _send(make(r.url))
        assert failed.value.retryable is retryable, status
    with pytest.raises(DeliveryFailed) as failed:
        _send(make(f"http://127.0.0.1:{closed_port()}/"))
    assert failed.value.retryable


@pytest.mark.parametrize("make", [DingTalkChannel, FeishuChannel, WeComChannel])
def test_an_answer_that_is_not_the_vendors_is_not_retryable(receiver: Factory,
                                                            make: Any) -> None:
    r = receiver(lambda got: (200, {"content-type": "text/html"}, b"<html>login</html>"))
    with pytest.raises(DeliveryFailed) as failed:
        _send(make(r.url))
    assert not failed.value.retryable


def test_fit_cuts_on_a_character_boundary() -> None:
    text = "审" * 100
    cut = fit(text, 31, "[x](y)")
    assert len(cut.encode()) <= 31 and cut.endswith("…[x](y)")
    assert fit("short", 100, "[x](y)") == "short"


def test_dingtalk_sign_with_plus_and_slash_survives_url_encoding(receiver: Factory) -> None:
    from datetime import UTC, datetime

    from engine.notify import dingtalk_sign
    now_ms = int(time.time() * 1000)
    ts = next(t for t in range(now_ms, now_ms + 10_000)
              if "+" in (s := dingtalk_sign(DING_SECRET, t)) and "/" in s)
    r = receiver(dingtalk_receiver(DING_SECRET))
    _send(DingTalkChannel(f"{r.url}/robot/send?access_token=tok123", DING_SECRET,
                          clock=lambda: datetime.fromtimestamp(ts / 1000, UTC)))
    assert r.requests[0].query["timestamp"] == str(ts)
