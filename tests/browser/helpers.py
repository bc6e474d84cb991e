"""Small helpers shared by the browser tests (API look-ups the test makes as a person
would not: who holds a request now, who has work waiting)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Server


def pending_tasks(server: Server, username: str) -> list[dict[str, Any]]:
    out = server.api("GET", "/tasks?limit=200", token=server.token(username))
    return [t for t in out["items"] if t["status"] == "pending" and "approve" in t["actions"]]


def approvers_with_work(server: Server, minimum: int = 1) -> list[str]:
    """Demo users (as listed on the sign-in page) with at least ``minimum`` approvable tasks."""
    users = [u["username"] for u in server.api("GET", "/auth/demo-users")]
    return [u for u in users if len(pending_tasks(server, u)) >= minimum]


def instance(server: Server, username: str, instance_id: str) -> dict[str, Any]:
    out: dict[str, Any] = server.api("GET", f"/instances/{instance_id}",
                                     token=server.token(username))
    return out


def busiest_approver(server: Server) -> str:
    """The demo user with the most overdue work (the inbox then shows its markings)."""
    users = [u["username"] for u in server.api("GET", "/auth/demo-users")]
    load = {u: pending_tasks(server, u) for u in users}
    return max(users, key=lambda u: (sum(t["overdue"] for t in load[u]), len(load[u])))
