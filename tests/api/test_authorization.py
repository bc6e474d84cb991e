"""The authorization matrix: every endpoint x every role -> the expected status.

Roles: ``anon`` (no token), ``requester`` (xu.ming, who started the request),
``assignee`` (zhao.lei, who holds its task), ``outsider`` (bai.lu, not involved),
``owner`` (chen.jing, process owner) and ``admin``. Each (endpoint, role) case that can
change something runs on a fresh request; a refused case (401/403/404/409/422) must leave
the event log exactly as it was. A last check makes sure the table names every route.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi.routing import APIRoute

from tests.api.conftest import PASSWORD, Api
from tests.api.test_flows import STORE, start_store, task_of
from tests.conftest import ROOT

ROLES = {"anon": None, "requester": "xu.ming", "assignee": "zhao.lei", "outsider": "bai.lu",
         "owner": "chen.jing", "admin": "admin"}
SIGNED_IN = ("requester", "assignee", "outsider", "owner", "admin")


def everyone(status: int, anon: int = 401) -> dict[str, int]:
    return {"anon": anon, **dict.fromkeys(SIGNED_IN, status)}


def only(allowed: dict[str, int], others: int = 403) -> dict[str, int]:
    return {"anon": 401, **{r: allowed.get(r, others) for r in SIGNED_IN}}


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # placeholders: {iid}, {task}, {token}, {key}, {user}
    expect: dict[str, int]
    body: Any = None
    fresh: bool = False  # needs its own request (the call may change it)
    returned: bool = False  # ... which the assignee has returned to the requester
    params: dict[str, str] = field(default_factory=dict)


TABLE = [
    Case("GET", "/api/health", everyone(200, anon=200)),
    Case("POST", "/api/auth/login", everyone(200, anon=200),
         body={"username": "xu.ming", "password": PASSWORD}),
    Case("GET", "/api/auth/demo-users", everyone(404, anon=404)),
    Case("GET", "/api/me", everyone(200)),
    Case("GET", "/api/users", everyone(200)),
    Case("POST", "/api/tokens", everyone(201), body={"name": "ci"}),
    Case("GET", "/api/tokens", everyone(200)),
    Case("DELETE", "/api/tokens/{token}", only({"requester": 204}, others=404), fresh=True),
    Case("POST", "/api/me/password", everyone(422),  # the matrix knows no one's password
         body={"current_password": "wrong", "new_password": "new-password-1"}),
    Case("POST", "/api/users/{user}/password", only({"admin": 204}),
         body={"password": "new-password-1"}),
    Case("GET", "/api/me/out-of-office", everyone(200)),
    Case("POST", "/api/me/out-of-office", everyone(200), body={
        "delegate_to": "wu.fang", "starts_at": "2026-03-02T00:00:00Z",
        "ends_at": "2026-03-09T00:00:00Z"}),
    Case("DELETE", "/api/me/out-of-office", everyone(204)),
    Case("GET", "/api/definitions", everyone(200)),
    Case("GET", "/api/definitions/{key}", everyone(200)),
    Case("POST", "/api/definitions/validate", everyone(200), body="DEFINITION"),
    Case("POST", "/api/definitions", only({"owner": 201, "admin": 201}), body="DEFINITION"),
    Case("POST", "/api/admin/org/preview", only({"admin": 200}), body="ORG"),
    Case("POST", "/api/admin/org/sync", only({"admin": 200}), body="ORG"),  # no change
    Case("POST", "/api/instances", {**everyone(201), "admin": 422},  # admin has no manager
         body={"definition": "store_opening", "data": STORE}),
    Case("GET", "/api/instances", everyone(200)),
    Case("GET", "/api/instances", only({"owner": 200, "admin": 200}), params={"scope": "all"}),
    Case("GET", "/api/instances/{iid}", only({"requester": 200, "assignee": 200,
                                              "owner": 200, "admin": 200})),
    Case("POST", "/api/instances/{iid}/withdraw", only({"requester": 200}), fresh=True),
    Case("POST", "/api/instances/{iid}/resubmit", only({"requester": 200}),
         body={"data": STORE}, fresh=True, returned=True),
    Case("POST", "/api/instances/{iid}/comments", only({"requester": 200, "assignee": 200,
                                                        "owner": 200, "admin": 200}),
         body={"text": "Any news?"}),
    Case("POST", "/api/instances/{iid}/cancel", only({"admin": 200}), fresh=True),
    Case("GET", "/api/tasks", everyone(200)),
    Case("GET", "/api/tasks/{task}", only({"requester": 200, "assignee": 200, "owner": 200,
                                          "admin": 200})),
    Case("POST", "/api/tasks/{task}/approve", only({"assignee": 200}), fresh=True),
    Case("POST", "/api/tasks/{task}/reject", only({"assignee": 200}), fresh=True,
         body={"comment": "Too expensive"}),
    Case("POST", "/api/tasks/{task}/return", only({"assignee": 200}), fresh=True,
         body={"comment": "Add the landlord"}),
    Case("POST", "/api/tasks/{task}/delegate", only({"assignee": 200, "admin": 200}),
         body={"to": "sun.li"}, fresh=True),
    Case("POST", "/api/tasks/{task}/add-signer", only({"assignee": 200}),
         body={"user": "feng.bo"}, fresh=True),
    Case("POST", "/api/tasks/bulk-approve", everyone(200), body={"task_ids": ["{task}"]},
         fresh=True),
]
# bulk-approve answers 200 with a result per task; the per-task verdicts are checked below.

DEFINITION = """key: matrix_check
title: Matrix check
form: {type: object, properties: {note: {type: string}}}
start: boss
nodes:
  boss: {approvers: {role: ceo}, on: {approve: done, reject: done}}
  done: {final: approved}
"""


@dataclass
class Scene:
    iid: str
    task: str
    token: str


def _scene(api: Api, returned: bool) -> Scene:
    iid = start_store(api)["id"]
    task = task_of(api.as_("zhao.lei"), iid)["id"]
    if returned:
        assert api.as_("zhao.lei").post(f"/api/tasks/{task}/return",
                                        json={"comment": "Add the landlord"}).status_code == 200
    token = api.as_("xu.ming").post("/api/tokens", json={"name": "x"}).json()["id"]
    return Scene(iid, task, str(token))


def _call(api: Api, case: Case, role: str, scene: Scene) -> httpx.Response:
    def fill(text: str) -> str:
        return (text.replace("{iid}", scene.iid).replace("{task}", scene.task)
                .replace("{token}", scene.token).replace("{key}", "store_opening")
                .replace("{user}", "wu.fang"))

    kw: dict[str, Any] = {"params": case.params}
    if case.body == "DEFINITION":
        kw["content"] = DEFINITION.replace("Matrix check", f"Matrix check by {role}")
        kw["headers"] = {"Content-Type": "text/yaml"}
    elif case.body == "ORG":
        kw["content"] = (ROOT / "definitions" / "org.yaml").read_text(encoding="utf-8")
        kw["headers"] = {"Content-Type": "text/yaml"}
    elif isinstance(case.body, dict):
        kw["json"] = {k: [fill(x) for x in v] if isinstance(v, list) else v
                      for k, v in case.body.items()}
    username = ROLES[role]
    if username is None:
        return api.client.request(case.method, fill(case.path), **kw)
    return api.as_(username).request(case.method, fill(case.path), **kw)


def test_every_endpoint_and_role(api: Api) -> None:
    shared = _scene(api, returned=False)
    wrong = []
    for case in TABLE:
        for role, expected in case.expect.items():
            scene = _scene(api, case.returned) if case.fresh else shared
            before = api.event_count()
            r = _call(api, case, role, scene)
            if r.status_code != expected:
                wrong.append(f"{case.method} {case.path} {case.params} as {role}: "
                             f"{r.status_code} (expected {expected}) {r.text[:200]}")
            elif expected >= 400:
                assert r.headers["content-type"] == "application/problem+json"
                if api.event_count() != before:
                    wrong.append(f"{case.method} {case.path} as {role}: refused but changed "
                                 "the event log")
            elif case.path == "/api/tasks/bulk-approve":
                (result,) = r.json()["results"]
                assert result["ok"] == (role == "assignee"), (role, result)
    assert not wrong, "\n".join(wrong)


def test_the_table_covers_every_route(api: Api) -> None:
    app = api.client.app
    routes = {(m, r.path) for r in app.routes if isinstance(r, APIRoute)  # type: ignore[attr-defined]
              for m in r.methods if r.path.startswith("/api/")
              and not r.path.startswith("/api/analytics")  # the analytics topic's own tests
              and r.include_in_schema}
    named = {(c.method, c.path.replace("{iid}", "{instance_id}").replace("{task}", "{task_id}")
              .replace("{token}", "{token_id}").replace("{user}", "{username}"))
             for c in TABLE}
    assert routes - named == set()
