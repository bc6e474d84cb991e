"""Group-chat custom robots: DingTalk, Feishu/Lark, WeCom.

Each posts a card with a link to the robot's webhook URL and checks the vendor's JSON
answer (these vendors answer HTTP 200 with a non-zero error code when they refuse).

- DingTalk (open.dingtalk.com, "custom robot"): ``actionCard`` with one button (Markdown
  body), or ``markdown`` when there is no link. With a secret ("加签"), the URL gets
  ``timestamp`` (milliseconds) and ``sign`` = base64(HMAC-SHA256(key=secret,
  msg="timestamp\\nsecret")), URL-encoded. Error 130101 (too fast) is retryable.
- Feishu/Lark (open.feishu.cn "custom bot"): ``interactive`` card; with a secret the body
  gets ``timestamp`` (seconds) and ``sign`` = base64(HMAC-SHA256(key="timestamp\\nsecret",
  msg="")). Error 11232 (rate limit) is retryable.
- WeCom (developer.work.weixin.qq.com "group robot"): ``markdown`` (at most 4,096 bytes);
  no signing, the ``key`` in the URL is the credential. Errors 45009 and -1 are retryable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import httpx

from engine.notify.message import DeliveryFailed, Message, Rendered
from engine.notify.render import md_inert
from engine.notify.transport import Clock, HttpPoster, dumps, utc_now, vendor_json

_FEISHU_COLOURS = {"info": "blue", "good": "green", "bad": "red", "warn": "orange"}
_WECOM_MAX_BYTES = 4096
_DINGTALK_MAX_BYTES = 18000  # documented limit is 20,000 bytes for the whole message


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature (base64, before URL encoding)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu/Lark's signature: the HMAC key is "timestamp\\nsecret", the message empty."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class _Robot:
    name = "robot"
    _retryable_codes: frozenset[int] = frozenset()

    def __init__(self, url: str, secret: str | None = None, *,
                 timeout: float | httpx.Timeout | None = None,
                 client: httpx.Client | None = None, clock: Clock = utc_now):
        self.url = url
        self.secret = secret or None
        self._clock = clock
        self._http = HttpPoster(self.name, timeout, client)

    def close(self) -> None:
        self._http.close()

    def _check(self, response: httpx.Response, code_keys: tuple[str, ...]) -> None:
        body = vendor_json(self.name, response)
        code = next((body[k] for k in code_keys if k in body), None)
        if code == 0:
            return
        if not isinstance(code, int):
            raise DeliveryFailed(False, f"{self.name}: unexpected answer {body}")
        message = body.get("errmsg") or body.get("msg") or body.get("StatusMessage") or ""
        raise DeliveryFailed(code in self._retryable_codes,
                             f"{self.name}: error {code}: {message}".rstrip(": "))


class DingTalkChannel(_Robot):
    name = "dingtalk"
    _retryable_codes = frozenset({130101})

    def send(self, rendered: Rendered, message: Message) -> None:
        params = None
        if self.secret:
            ts = round(self._clock().timestamp() * 1000)
            params = {"timestamp": str(ts), "sign": dingtalk_sign(self.secret, ts)}
        response = self._http.post(self.url, dumps(dingtalk_payload(rendered)), params=params)
        self._check(response, ("errcode",))


def dingtalk_payload(rendered: Rendered) -> dict[str, Any]:
    text = fit(rendered.markdown + "\n\n— Signoff", _DINGTALK_MAX_BYTES)
    title = md_inert(rendered.title)
    if rendered.link:
        return {"msgtype": "actionCard", "actionCard": {
            "title": title, "text": text, "btnOrientation": "0",
            "singleTitle": rendered.link_label, "singleURL": rendered.link}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


class FeishuChannel(_Robot):
    name = "feishu"
    _retryable_codes = frozenset({11232})

    def send(self, rendered: Rendered, message: Message) -> None:
        body: dict[str, Any] = {}
        if self.secret:
            ts = int(self._clock().timestamp())
            body = {"timestamp": str(ts), "sign": feishu_sign(self.secret, ts)}
        body.update(feishu_payload(rendered))
        response = self._http.post(self.url, dumps(body))
        self._check(response, ("code", "StatusCode"))


def feishu_payload(rendered: Rendered) -> dict[str, Any]:
    elements: list[dict[str, Any]] = [
        {"tag": "div", "text": {"tag": "lark_md", "content": md_inert(rendered.sentence)}}]
    if rendered.fields:
        elements.append({"tag": "div", "fields": [
            {"is_short": True, "text": {"tag": "lark_md",
                                        "content": f"**{label}**\n{md_inert(value)}"}}
            for label, value in rendered.fields]})
    if rendered.items:
        lines = [f"- [{md_inert(t)}]({u})" if u else f"- {md_inert(t)}"
                 for t, u in rendered.items]
        elements.append({"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(lines)}})
    if rendered.link:
        elements.append({"tag": "action", "actions": [{
            "tag": "button", "type": "primary", "url": rendered.link,
            "text": {"tag": "plain_text", "content": rendered.link_label}}]})
    return {"msg_type": "interactive", "card": {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": rendered.title},
                   "template": _FEISHU_COLOURS[rendered.tone]},
        "elements": elements}}


class WeComChannel(_Robot):
    name = "wecom"
    _retryable_codes = frozenset({45009, -1})

    def send(self, rendered: Rendered, message: Message) -> None:
        response = self._http.post(self.url, dumps(wecom_payload(rendered)))
        self._check(response, ("errcode",))


def wecom_payload(rendered: Rendered) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {
        "content": fit(rendered.markdown, _WECOM_MAX_BYTES,
                       f"\n\n[{rendered.link_label}]({rendered.link})" if rendered.link else "")}}


def fit(text: str, limit: int, tail: str = "") -> str:
    """``text`` cut to ``limit`` UTF-8 bytes (on a character boundary), keeping ``tail``
    (the link) whole at the end when the text had to be cut."""
    if len(text.encode()) <= limit:
        return text
    room = limit - len(tail.encode()) - len("…".encode())
    cut = text.encode()[: max(room, 0)].decode("utf-8", errors="ignore")
    return cut + "…" + tail


__all__ = ["DingTalkChannel", "FeishuChannel", "WeComChannel", "dingtalk_payload",
           "dingtalk_sign", "feishu_payload", "feishu_sign", "fit", "wecom_payload"]
