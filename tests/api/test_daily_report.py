"""The daily report against a real local SMTP server: one mail per recipient across two
workers, the days missed while down sent on return with their dates, English and
Chinese, the chart inline; ``report`` in YAML checked at line and column."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from api.background import worker_for
from engine.store import UserPreference
from tests.api.conftest import Api, make_settings
from tests.api.test_flows import decide, start_store
from tests.notify.conftest import SmtpServer, smtp_server  # noqa: F401  (the fixture)


def _reports(smtp: SmtpServer) -> list[Any]:
    return [m for m in smtp.mailbox.mails if m["X-Signoff-Kind"] == "daily_report"]


def _mails(smtp: SmtpServer) -> list[tuple[str, str]]:
    return sorted((m["To"].addresses[0].addr_spec, str(m["Subject"]))
                  for m in _reports(smtp))


def test_the_daily_report_goes_once_per_person_and_catches_up(
        api: Api, smtp_server: SmtpServer, tmp_path: object) -> None:  # noqa: F811
    with api.db.session() as s:  # zhao.lei reads Chinese
        s.add(UserPreference(username="zhao.lei", channels=["email"], language="zh",
                             updated_at=api.clock.now))
        s.commit()
    done = start_store(api)["id"]
    decide(api, "zhao.lei", done, "reject", comment="Too expensive")
    start_store(api, store_name="Still running")
    api.clock.advance(timedelta(days=1))  # Tuesday 09:00 in Shanghai: Monday's report
    settings = make_settings(api.settings.database_url, tmp_path,  # type: ignore[arg-type]
                             smtp_host=smtp_server.host, smtp_port=smtp_server.port,
                             smtp_from="Signoff <signoff@example.cn>")
    workers = [worker_for(settings, api.db, api.clock)[0] for _ in range(2)]
    # both workers' report jobs at the same moment (deliveries: one worker per SQLite file)
    threads = [threading.Thread(target=w.jobs[1], args=(api.db, api.clock.now))
               for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    workers[0].run_once(api.clock.now)  # delivers; its own report job finds nothing left
    mails = _mails(smtp_server)
    assert mails == [("chen.jing@example.com", "Signoff daily report 2026-03-03"),
                     ("zhao.lei@example.com", "Signoff 每日报告 2026-03-03")]
    en = next(m for m in _reports(smtp_server) if m["To"].addresses[0].addr_spec
              == "chen.jing@example.com")
    text = en.get_body(("plain",)).get_content()
    assert "2026-03-02: 2 started, 1 finished (0 approved, 1 rejected)" in text
    assert "Overdue now: 0" in text and "/dashboard/store_opening" in text
    html = en.get_body(("html",))
    assert 'src="cid:chart@signoff"' in html.get_content()
    images = [p for p in en.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == "<chart@signoff>"
    assert images[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    zh = next(m for m in _reports(smtp_server) if m["To"].addresses[0].addr_spec
              == "zhao.lei@example.com")
    assert "发起 2，完成 1（通过 0，驳回 1）" in zh.get_body(("plain",)).get_content()

    api.clock.advance(timedelta(days=3))  # down Wednesday and Thursday; back on Friday
    workers[1].run_once(api.clock.now)
    later = [s for to, s in _mails(smtp_server) if to == "chen.jing@example.com"]
    assert later == [f"Signoff daily report 2026-03-0{d}" for d in (3, 4, 5, 6)]
    assert len(_reports(smtp_server)) == 8


def test_report_now_and_its_preview(api: Api) -> None:
    owner = api.as_("chen.jing")
    page = owner.get("/api/reports/store_opening/preview")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Signoff daily report" in page.text and "data:image/png;base64," in page.text
    assert api.as_("li.na").get("/api/reports/store_opening/preview").status_code == 403
    assert owner.get("/api/reports/sample_order/preview").status_code == 404  # no report
    sent = owner.post("/api/reports/store_opening/send").json()
    assert sent["sent"] == 2
    assert owner.post("/api/reports/store_opening/send").json()["sent"] == 2  # on request


def test_signoff_report_send(api: Api) -> None:
    from typer.testing import CliRunner

    from api.cli import _register, app

    _register()
    out = CliRunner().invoke(app, ["report", "store_opening", "--send",
                                   "--db", api.settings.database_url])
    assert out.exit_code == 0, out.output
    assert "2 report message(s)" in out.output
    bad = CliRunner().invoke(app, ["report", "sample_order", "--send",
                                   "--db", api.settings.database_url])
    assert bad.exit_code != 0


def test_the_report_language_sets_the_whole_mail(
        api: Api, smtp_server: SmtpServer, tmp_path: object) -> None:  # noqa: F811
    """``language: zh`` makes chen.jing's (an English reader's) mail Chinese from subject to
    footer, and ``language: en`` makes zhao.lei's (a Chinese reader's) English."""
    import dataclasses

    from engine import daily_report
    from engine.store.definitions import DbCatalog
    from engine.store.org import current_directory

    with api.db.session() as s:
        s.add(UserPreference(username="zhao.lei", channels=["email"], language="zh",
                             updated_at=api.clock.now))
        s.commit()
    done = start_store(api)["id"]
    decide(api, "zhao.lei", done, "reject", comment="Too expensive")
    api.clock.advance(timedelta(days=1))
    for language in ("zh", "en"):
        with api.db.session() as s:
            defn = DbCatalog(s).get("store_opening")
            assert defn.report is not None
            defn = dataclasses.replace(defn, report=dataclasses.replace(
                defn.report, language=language))
            sent = daily_report.send(s, defn, api.clock.now.date(), api.clock.now,
                                     current_directory(s), force=True)
            s.commit()
        assert sent == 2
    settings = make_settings(api.settings.database_url, tmp_path,  # type: ignore[arg-type]
                             smtp_host=smtp_server.host, smtp_port=smtp_server.port,
                             smtp_from="Signoff <signoff@example.cn>")
    worker_for(settings, api.db, api.clock)[0].deliver_outbox(api.clock.now)  # no jobs
    mails = _reports(smtp_server)
    assert len(mails) == 4
    for m in mails:
        zh = str(m["Subject"]).startswith("Signoff 每日报告")
        text = m.get_body(("plain",)).get_content()
        html = m.get_body(("html",)).get_content()
        if zh:
            assert "你好" in text and "此消息由 Signoff 自动发送" in text and "打开看板" in text
            assert "发起 1，完成 1（通过 0，驳回 1）" in text and "当前超时 0" in text
            assert 'lang="zh' in html and "Hello" not in text and "started" not in text
        else:
            assert str(m["Subject"]).startswith("Signoff daily report")
            assert "Hello" in text and "Sent by Signoff" in text
            assert "1 started, 1 finished (0 approved, 1 rejected)" in text
            assert "你好" not in text and "发起" not in text
    by_person = sorted((m["To"].addresses[0].addr_spec,
                        str(m["Subject"]).startswith("Signoff 每日报告")) for m in mails)
    assert by_person == [("chen.jing@example.com", False), ("chen.jing@example.com", True),
                         ("zhao.lei@example.com", False), ("zhao.lei@example.com", True)]


def test_report_lines_name_steps_and_people_in_the_language() -> None:
    from engine.daily_report import lines

    figures = {"day": "2026-03-02", "started": 3, "finished": 1, "approved": 1,
               "rejected": 0, "median_cycle_hours": 5.5, "median_cycle_hours_4w": 7.0,
               "overdue": 1, "at_risk": 2, "slowest_steps": [("vp_review", 7200.0)],
               "slowest_approvers": [("zhao.lei", 3600.0)],
               "candidates": [("vp_review", 120)]}
    zh = lines(figures, True, {"vp_review": "副总裁审批"}, {"zhao.lei": "赵磊"})
    assert zh[3] == "最慢环节：副总裁审批（中位 2.0 小时）"
    assert zh[4] == "最慢审批人：赵磊（中位 1.0 小时）"
    assert zh[5] == "可考虑取消：副总裁审批（每年约省 120 审批小时）"
    en = lines(figures, False, {"vp_review": "VP review"}, {"zhao.lei": "Zhao Lei"})
    assert en[3] == "Slow step: VP review (median 2.0 h)"
    assert en[1] == "Median cycle time 5.5 h against 7.0 h over the last 4 weeks"
