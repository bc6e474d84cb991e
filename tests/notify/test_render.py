"""Every message kind renders in both languages: subject, sentence, fields, link."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.notify import KINDS, Message, Recipient, render
from engine.notify.phrases import FIELDS, LABELS, PHRASES
from tests.notify.conftest import NOW, message

PUBLIC = "https://signoff.example.com/"

# (kind, english subject, chinese subject) with the default test data
EN, ZH = "SO-0042 Shanghai Jing'an store", "SO-0042 上海静安店"
SUBJECTS = [
    ("task_assigned", f"Approval needed: {EN}", f"待审批：{ZH}"),
    ("reminder", f"Reminder: {EN}", f"提醒：{ZH}"),
    ("escalated", f"Escalated: {EN}", f"已升级：{ZH}"),
    ("returned", f"Returned to you: {EN}", f"已退回给你：{ZH}"),
    ("approved", f"Approved: {EN}", f"已通过：{ZH}"),
    ("rejected", f"Rejected: {EN}", f"已驳回：{ZH}"),
    ("now_with", f"{EN} is now with Zhao Lei, Sun Li",
     f"{ZH} 已流转至 Zhao Lei、Sun Li"),
    ("copied", f"For your information: {EN}", f"抄送：{ZH}"),
    ("at_risk", f"At risk: {EN}", f"可能超时：{ZH}"),
    ("daily_report", "Signoff daily report 2026-11-30", "Signoff 每日报告 2026-11-30"),
    ("test", "Signoff test message", "Signoff 测试消息"),
]


def test_every_kind_has_phrases_in_both_languages() -> None:
    assert set(PHRASES) == set(KINDS) == set(FIELDS)
    for kind in KINDS:
        assert set(PHRASES[kind]) == {"en", "zh"}
    for fields in FIELDS.values():
        assert all(set(LABELS[f]) == {"en", "zh"} for f in fields)


@pytest.mark.parametrize(("kind", "en", "zh"), SUBJECTS)
def test_subjects(kind: str, en: str, zh: str) -> None:
    # the reminder's due (09:00 UTC) is after NOW (02:00 UTC): not overdue yet
    assert render(message(kind, "en"), PUBLIC).subject == en
    zh_msg = message(kind, "zh", request_title="上海静安店")
    assert render(zh_msg, PUBLIC).subject == zh


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "digest"])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_kind_renders_text_html_markdown_with_the_link(kind: str, language: str) -> None:
    r = render(message(kind, language), PUBLIC)
    link = "https://signoff.example.com/tasks/7f3e"
    assert r.link == link
    for body in (r.text, r.html, r.markdown):
        assert link in body
    assert r.sentence in r.text
    assert r.html.startswith("<!DOCTYPE html>") and f'lang="{language}"' in r.html
    greeting = "Hello Li Na," if language == "en" else "李娜，你好："
    assert greeting in r.text


def test_english_sentences_carry_the_facts() -> None:
    text = render(message("reminder"), PUBLIC).text
    assert "“Regional director” of SO-0042 Shanghai Jing'an store is due Tue 1 Dec 2026, " \
           "17:00 CST." in text
    late = message("reminder", due="2026-11-30T09:00:00Z")
    r = render(late, PUBLIC)
    assert r.subject.startswith("Overdue:") and "is overdue" in r.sentence and r.tone == "warn"
    r = render(message("returned"), PUBLIC)
    assert r.sentence == "Deng Hao returned SO-0042 Shanghai Jing'an store to you."
    assert ("Reason", "Rent above budget") in r.fields
    r = render(message("now_with"), PUBLIC)
    assert r.sentence.endswith("reached “Regional director” and is now with Zhao Lei, Sun Li.")


def test_chinese_times_are_local_and_written_the_chinese_way() -> None:
    r = render(message("reminder", "zh", due="2026-11-30T09:00:00Z"), PUBLIC)
    assert r.sentence == ("SO-0042 上海静安店 的「区域总监」已于 2026年11月30日（周一）17:00 到期，"
                          "现已逾期。")
    assert ("截止时间", "2026年11月30日（周一）17:00") in r.fields


def test_missing_data_is_left_out_not_an_error() -> None:
    m = Message("bare-1", "task_assigned", Recipient("u1", "U One"), {}, NOW)
    r = render(m, PUBLIC)
    assert r.subject == "Approval needed: a request"
    assert r.fields == () and r.link is None
    assert "None" not in r.text and "Undefined" not in r.text


def test_links_only_http_or_app_paths() -> None:
    assert render(message(path=None, url="javascript:alert(1)"), PUBLIC).link is None
    assert render(message(path="//evil.example/x"), PUBLIC).link is None
    assert render(message(path=None, url="https://x.example/a"), PUBLIC).link == \
        "https://x.example/a"
    assert render(message(path="/tasks/1"), "").link is None  # no public URL known


def test_html_escapes_and_markdown_neutralises_values() -> None:
    hostile = "<b onmouseover=x>[click](https://evil.example)\n# heading"
    r = render(message(request_title=hostile, reason=hostile), PUBLIC)
    assert "<b " not in r.html and "&lt;b onmouseover=x&gt;" in r.html
    assert "](https://evil.example)" not in r.markdown
    assert "\n# heading" not in r.markdown
    assert "\n" not in r.subject


def test_long_values_are_cut() -> None:
    r = render(message("returned", reason="x" * 5000), PUBLIC)
    reason = dict(r.fields)["Reason"]
    assert len(reason) == 500 and reason.endswith("…")


def test_daily_report_lists_its_lines() -> None:
    r = render(message("daily_report", lines=["12 decided", "3 overdue"], path="/dashboard"),
               PUBLIC)
    assert r.items == (("12 decided", None), ("3 overdue", None))
    assert "- 12 decided" in r.text and "<li" in r.html


def test_test_message_links_to_the_app_when_no_path() -> None:
    r = render(message("test", path=None, channel="dingtalk"), PUBLIC)
    assert r.link == "https://signoff.example.com/"
    assert "through dingtalk" in r.sentence


def test_message_round_trips_through_a_dict() -> None:
    m = message("escalated", "zh")
    assert Message.from_dict(m.to_dict()) == m


@pytest.mark.parametrize("bad", ["", "has space", "a..b", ".lead", "x" * 129, "colon:id"])
def test_message_ids_must_be_header_safe(bad: str) -> None:
    with pytest.raises(ValueError):
        Message(bad, "test", Recipient("u", "U"), {}, NOW)


def test_naive_creation_time_is_refused() -> None:
    with pytest.raises(ValueError):
        Message("ok", "test", Recipient("u", "U"), {}, datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        Message("ok", "nope", Recipient("u", "U"), {}, datetime(2026, 1, 1, tzinfo=UTC))  # type: ignore[arg-type]


def test_user_names_are_shown_as_people_in_the_readers_language() -> None:
    people = {"ann": {"name": "Ann Asker", "name_zh": "安安"},
              "bob": {"name": "Bob Buyer"}}
    data = {"initiator": "ann", "actor": "bob", "holders": ["ann", "zed"], "people": people}
    en = render(message("now_with", **data), PUBLIC)
    assert en.subject.endswith("is now with Ann Asker, zed")
    assert ("Requested by", "Ann Asker") not in en.fields  # now_with does not show it
    zh = render(message("returned", "zh", **data), PUBLIC)
    assert zh.sentence.startswith("Bob Buyer 将")  # no Chinese name: the English one
    assert ("处理人", "Bob Buyer") in zh.fields
    assign = render(message("task_assigned", "zh", **data), PUBLIC)
    assert ("申请人", "安安") in assign.fields
