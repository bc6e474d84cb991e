"""``render(message, public_url)``: a ``Message`` in its recipient's language, as e-mail
(plain text and HTML from Jinja templates with autoescape), chat Markdown and card parts.

Keys of ``Message.data`` that the phrases read (all optional; an absent one is left out):

``process`` (process title), ``request_title``, ``request_number``, ``step`` (step title;
``process_zh``, ``request_title_zh`` and ``step_zh`` are shown to Chinese readers),
``initiator``, ``actor`` (who acted), ``holders`` (a name or a list of names; user names
found in ``people``, ``{username: {"name": ..., "name_zh": ...}}``, are shown as the
person's name in the reader's language), ``due`` and
``expected`` (ISO 8601 date-times, shown in the recipient's time zone), ``reason``,
``period`` (daily report), ``lines`` (list of report lines), ``channel`` and ``sent_by``
(test), ``items`` (digest: the grouped messages as ``Message.to_dict()``), and the link:
``url`` (absolute http(s)) or ``path`` (``/tasks/<id>``, joined to ``public_url``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2

from engine.notify import phrases as P
from engine.notify.message import Message, Rendered

_LOADER = jinja2.PackageLoader("engine.notify", "templates")
# Phrases and the plain-text body hold no markup; the HTML body escapes every value.
_plain = jinja2.Environment(loader=_LOADER, autoescape=False, keep_trailing_newline=True)
_html = jinja2.Environment(loader=_LOADER, autoescape=True)
_ACCENT = {"info": "#0969da", "good": "#1a7f37", "bad": "#cf222e", "warn": "#bc4c00"}
_WEEKDAYS_ZH = "一二三四五六日"
_MAX_VALUE = 500  # characters of one data value shown; a long reason is cut, not lost


CHART_CID = "cid:chart@signoff"


def render(message: Message, public_url: str = "") -> Rendered:
    """Render ``message`` for its recipient (language, time zone). Never raises for
    missing data keys: what is absent is left out."""
    lang = message.recipient.language
    values = _values(message)
    subject, sentence = (_phrase(t, _with_placeholders(values, lang))
                         for t in P.PHRASES[message.kind][lang])
    subject = " ".join(subject.split())
    fields = tuple((P.LABELS[k][lang], values[k]) for k in P.FIELDS[message.kind]
                   if values.get(k))
    items = _items(message, public_url)
    link = _link(message.data, public_url)
    if link is None and message.kind in ("test", "digest", "daily_report") and public_url:
        link = _link({"path": "/"}, public_url)
    link_label = P.LINK_LABELS[P.LINK_TARGET[message.kind]][lang]
    tone = cast(Literal["info", "good", "bad", "warn"], _tone(message, values))
    context: dict[str, Any] = {
        "lang": lang, "subject": subject, "sentence": sentence, "fields": fields,
        "items": items, "link": link, "link_label": link_label,
        "greeting": _phrase(P.GREETING[lang], {"name": message.recipient.name}),
        "footer": P.FOOTER[lang], "accent": _ACCENT[tone], "colon": P.COLON[lang],
        # a chart (base64 PNG in ``chart_png``) is shown inline: the e-mail carries it as
        # a related part with this Content-ID (``smtp.build_mail``)
        "chart": CHART_CID if message.data.get("chart_png") else None}
    return Rendered(
        subject=subject, title=subject, sentence=sentence, fields=fields, link=link,
        link_label=link_label, items=items,
        text=_plain.get_template("email.txt.j2").render(context),
        html=_html.get_template("email.html.j2").render(context),
        markdown=_markdown(subject, sentence, fields, items, link, link_label), tone=tone)


@functools.lru_cache(maxsize=256)
def _compiled(source: str) -> jinja2.Template:
    return _plain.from_string(source)


def _phrase(source: str, values: Mapping[str, Any]) -> str:
    return _compiled(source).render(values)


def _values(message: Message) -> dict[str, Any]:
    """The data of ``message`` as short plain strings, ready for any phrase."""
    data, rec = message.data, message.recipient
    lang = rec.language
    out: dict[str, Any] = {k: _text(_localized(data, k, lang)) for k in (
        "process", "step", "reason", "period", "channel", "sent_by")}
    raw_people = data.get("people")
    people: Mapping[str, Any] = raw_people if isinstance(raw_people, Mapping) else {}
    for key in ("initiator", "actor"):
        out[key] = _text(_person(data.get(key), people, lang))
    number = _text(data.get("request_number"))
    title = _text(_localized(data, "request_title", lang))
    out["request"] = f"{number} {title}".strip()
    holders = data.get("holders")
    if isinstance(holders, list | tuple):
        holders = P.LIST_SEP[lang].join(
            _text(_person(h, people, lang)) for h in holders if h)
    else:
        holders = _person(holders, people, lang)
    out["holders"] = _text(holders) or (P.NONE_LEFT[lang] if message.kind == "now_with" else "")
    due = _when(data.get("due"))
    out["due"] = _format_time(due, rec.timezone, lang) if due else ""
    expected = _when(data.get("expected"))
    out["expected"] = _format_time(expected, rec.timezone, lang) if expected else ""
    out["overdue"] = bool(due and message.created_at >= due)
    out["n"] = len(data.get("items") or ())
    return out


def _with_placeholders(values: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Sentences need a noun where data is missing; the fields simply leave it out."""
    out = dict(values)
    out["request"] = out["request"] or ("a request" if lang == "en" else "申请")
    out["step"] = out["step"] or ("this step" if lang == "en" else "当前环节")
    return out


def _localized(data: Mapping[str, Any], key: str, lang: str) -> Any:
    """``key_zh`` for a Chinese reader when the data has it (a step's ``title_zh``)."""
    return (lang == "zh" and data.get(f"{key}_zh")) or data.get(key)


def _person(user: Any, people: Mapping[str, Any], lang: str) -> Any:
    """A user name shown as the person's name (``people[user]["name_zh"]`` for Chinese
    readers, else ``name``); a value not in ``people`` is shown as it is."""
    entry = people.get(user) if isinstance(user, str) else None
    if not isinstance(entry, Mapping):
        return user
    return _localized(entry, "name", lang) or user


def _text(value: Any) -> str:
    """One line of plain text, never longer than ``_MAX_VALUE``."""
    if value is None:
        return ""
    line = " ".join(str(value).split())
    return line if len(line) <= _MAX_VALUE else line[: _MAX_VALUE - 1] + "…"


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo("UTC"))


def _format_time(moment: datetime, timezone: str, lang: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    if lang == "zh":
        return (f"{local.year}年{local.month}月{local.day}日"
                f"（周{_WEEKDAYS_ZH[local.weekday()]}）{local:%H:%M}")
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"


def _tone(message: Message, values: Mapping[str, Any]) -> str:
    if message.kind == "reminder" and values["overdue"]:
        return "warn"
    return P.TONES.get(message.kind, "info")


def _link(data: Mapping[str, Any], public_url: str) -> str | None:
    url = data.get("url")
    if isinstance(url, str) and urlsplit(url).scheme in ("http", "https"):
        return url
    path = data.get("path")
    base = public_url.rstrip("/")
    if isinstance(path, str) and path.startswith("/") and not path.startswith("//") and base:
        return base + path
    return None


def _items(message: Message, public_url: str) -> tuple[tuple[str, str | None], ...]:
    if message.kind == "daily_report":
        return tuple((_text(line), None) for line in message.data.get("lines") or () if line)
    if message.kind != "digest":
        return ()
    out: list[tuple[str, str | None]] = []
    for raw in message.data.get("items") or ():
        inner = Message.from_dict(raw)
        inner = Message(inner.id, inner.kind, message.recipient, inner.data, inner.created_at)
        shown = render(inner, public_url)
        out.append((shown.subject, shown.link))
    return tuple(out)


def md_inert(value: str) -> str:
    """A value made inert in chat Markdown: no line breaks, no link or tag syntax."""
    return (" ".join(value.split()).replace("[", "［").replace("]", "］")
            .replace("<", "＜").replace(">", "＞"))


def _markdown(subject: str, sentence: str, fields: Sequence[tuple[str, str]],
              items: Sequence[tuple[str, str | None]], link: str | None,
              link_label: str) -> str:
    lines = [f"### {md_inert(subject)}", "", md_inert(sentence), ""]
    lines += [f"- **{label}**: {md_inert(value)}" for label, value in fields]
    lines += [f"- [{md_inert(text)}]({url})" if url else f"- {md_inert(text)}"
              for text, url in items]
    if link:
        lines += ["", f"[{link_label}]({link})"]
    return "\n".join(lines).strip()


__all__ = ["CHART_CID", "md_inert", "render"]
