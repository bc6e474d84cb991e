"""What the API says to a reader of Chinese (``Accept-Language: zh-CN``): refusals, form
and upload errors and the owner's editor messages in Chinese, with the problem's
machine-readable fields unchanged; request titles in Chinese in every list; roles by
their Chinese names in the diagram (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook

from api.messages import to_zh
from tests.api.conftest import Api
from tests.api.test_flows import STORE, start_store, task_of
from tests.conftest import ROOT

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
CJK = re.compile(r"[\u4e00-\u9fff]")
# An English word left in a Chinese sentence: outside “quoted names” and 'literals', the
# parser's own words (YAML 原文), lists of allowed keys, Python's names of a construct a
# condition may not use, and the YAML keys an owner types.
_KEPT = re.compile(r"[a-z_]+(?:\.\w+)+|“[^”]*”|'[^']*'|\[[^\]]*\]|"
                   r"（(?:YAML 原文|允许)：.*?）|不允许的 \w+|"
                   r"\b(?:approvers|approve|reject|next|notify|sla|"
                   r"threshold|mode|on|join|branches|before|at|every|after|remind|escalate|"
                   r"reassign|auto|at_risk|deadline|field|within|form|in_unit|head_of|"
                   r"unit_of|unit|policies|fallback_approver|boolean|today|start_date|"
                   r"definition|type|string|format|date|time|object|None|YAML|JSON|"
                   r"Schema|if|key|value|name|nodes\.[\w.]+|[a-z_]+\.[\w.]+)\b")


def english_left(message: str) -> list[str]:
    return re.findall(r"[A-Za-z]{4,}", _KEPT.sub("", message))


def corpus() -> list[str]:
    """Every message the engine's broken-definition corpus pins (what the editor shows)."""
    out = []
    for path in sorted(Path(ROOT, "tests", "engine", "broken").glob("*.expected")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                out.append(re.sub(r"^\d+:\d+: (warning: )?", "", line.strip()))
    return out


def test_every_editor_message_of_the_broken_corpus_is_said_in_chinese() -> None:
    found = corpus()
    assert len(found) > 40
    said = {m: to_zh(m) for m in found}
    assert [m for m, zh in said.items() if not CJK.search(zh)] == []
    # conditions, timers and deadlines too, and no English sentence left around the names
    assert {m: english_left(zh) for m, zh in said.items()
            if english_left(zh) and "(YAML:" not in m and "JSON Schema" not in zh} == {}
    assert to_zh("unknown role 'x'") == "组织目录中没有角色 “x”"
    assert to_zh("something nobody wrote down") == "something nobody wrote down"


def test_refusals_and_form_errors_in_chinese_with_the_machine_fields_kept(api: Api) -> None:
    inst = start_store(api)
    boss = api.as_("zhao.lei")
    task = task_of(boss, inst["id"])
    url = f"/api/tasks/{task['id']}/reject"
    english = boss.post(url, json={})
    chinese = boss.post(url, json={}, headers=ZH)
    assert english.status_code == chinese.status_code == 422
    en, zh = english.json(), chinese.json()
    assert {k: en[k] for k in ("type", "title", "status")} == \
        {k: zh[k] for k in ("type", "title", "status")} == \
        {"type": "/problems/FormInvalid", "title": "FormInvalid", "status": 422}
    assert en["errors"][0]["pointer"] == zh["errors"][0]["pointer"] == "/comment"
    assert "reason is required" in en["errors"][0]["message"]
    assert zh["errors"][0]["message"] == "驳回需要说明理由：请在意见中写明原因"
    assert CJK.search(zh["detail"]) and not english_left(zh["detail"].replace("/comment", ""))
    # a refusal: only the initiator withdraws
    refused = boss.post(f"/api/instances/{inst['id']}/withdraw", headers=ZH)
    assert refused.status_code == 403 and refused.json()["title"] == "NotPermitted"
    assert refused.json()["detail"] == "zhao.lei 无权撤回：只有申请人可以撤回"
    # API-level refusals, request validation and sign-in
    assert boss.get("/api/instances", params={"scope": "all"}, headers=ZH).json()[
        "detail"] == "只有管理员和流程负责人可以查看全部申请"
    bad = boss.post("/api/instances", json={}, headers=ZH).json()
    assert bad["title"] == "RequestInvalid" and bad["errors"][0]["message"] == "必填"
    login = api.client.post("/api/auth/login", headers=ZH,
                            json={"username": "li.na", "password": "wrong"})
    assert login.status_code == 401 and login.json()["detail"] == "用户名或密码错误"


def test_editor_validation_speaks_the_callers_language(api: Api) -> None:
    owner = api.as_("chen.jing")
    text = Path(ROOT, "tests", "engine", "broken", "bad_conditions.yaml").read_text("utf-8")
    en = owner.post("/api/definitions/validate", json={"yaml": text}).json()
    zh = owner.post("/api/definitions/validate", json={"yaml": text}, headers=ZH).json()
    assert not en["valid"] and [(e["line"], e["column"]) for e in en["errors"]] == \
        [(e["line"], e["column"]) for e in zh["errors"]]
    assert all(CJK.search(e["message"]) for e in zh["errors"])
    assert not any(CJK.search(e["message"]) for e in en["errors"])


def test_lists_show_the_chinese_title_to_a_reader_of_chinese(api: Api) -> None:
    inst = start_store(api, store_name="Alpha", city="Shanghai")
    english_title = inst["title"]
    requester, boss = api.as_("xu.ming"), api.as_("zhao.lei")
    chinese_title = requester.get(f"/api/instances/{inst['id']}", headers=ZH).json()["title"]
    assert chinese_title != english_title and CJK.search(chinese_title)
    assert "Alpha" in chinese_title
    for user, url in ((requester, "/api/instances"), (boss, "/api/tasks")):
        field = "title" if url == "/api/instances" else "instance_title"
        assert [i[field] for i in user.get(url).json()["items"]] == [english_title]
        assert [i[field] for i in user.get(url, headers=ZH).json()["items"]] == [chinese_title]
    board = api.as_("chen.jing").get("/api/board", params={"scope": "all"}, headers=ZH)
    assert [r["title"] for r in board.json()["items"]] == [chinese_title]
    sheet = load_workbook(io.BytesIO(boss.get("/api/tasks.xlsx", headers=ZH).content)).active
    assert sheet is not None
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [chinese_title]
    bell = boss.get("/api/notifications").json()
    assert {n["payload"]["request_title_zh"] for n in bell} == {chinese_title}


def test_roles_are_named_in_chinese_in_the_diagram(api: Api) -> None:
    owner = api.as_("chen.jing")
    # nine store managers: a diagram names the role (read back from the database), not
    # each holder
    draft = owner.get("/api/definitions/store_opening").json()["yaml"].replace(
        "notify: {role: store_opening}", "notify: {role: store_manager}", 1)
    en = owner.post("/api/definitions/validate", json={"yaml": draft}).json()["mermaid"]
    zh = owner.post("/api/definitions/validate", json={"yaml": draft}, headers=ZH).json()
    assert "Store managers" in en
    assert "店长" in zh["mermaid"] and "Store managers" not in zh["mermaid"]


def test_form_errors_name_the_fields_in_chinese(api: Api) -> None:
    """A form refused by the server names each field by its Chinese label (``title_zh``)
    in Chinese, and by its English one in English."""
    data = {**STORE, "monthly_rent": -5}
    del data["store_name"]
    url, body = "/api/instances", {"definition": "store_opening", "data": data}
    en = api.as_("xu.ming").post(url, json=body).json()
    zh = api.as_("xu.ming").post(url, json=body, headers=ZH).json()
    assert [e["pointer"] for e in en["errors"]] == [e["pointer"] for e in zh["errors"]]
    said = {e["pointer"]: e["message"] for e in zh["errors"]}
    assert said["/store_name"] == "门店名称为必填项", said
    assert said["/monthly_rent"].startswith("月租金"), said
    assert "Store name" in {e["pointer"]: e["message"] for e in en["errors"]}["/store_name"]
    detail = zh["detail"].replace("/store_name", "").replace("/monthly_rent", "")
    assert not english_left(detail), zh["detail"]
