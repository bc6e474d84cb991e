"""Workers for the concurrency tests: each approves its task in every instance of a plan,
as fast as it can, after all workers meet at a barrier. Module-level so spawned processes
can import them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from engine import service
from engine.core import commands as cmds
from engine.core.directory import OrgDirectory
from engine.core.directory import load_directory as read_org
from engine.core.errors import ConcurrentUpdate, TransitionNotAllowed
from engine.store import Database, open_database

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
Plan = list[tuple[str, str]]  # (instance id, task id) as strings: picklable
Result = tuple[str, str, str | None, int | None]  # instance, outcome, decided by, seq


def decide_all(db: Database, org: OrgDirectory, plan: Plan, actor: str, keyed: bool,
               barrier: Any) -> list[Result]:
    barrier.wait()
    out: list[Result] = []
    for iid, task_id in plan:
        cmd = cmds.DecideTask(task_id=UUID(task_id), actor=actor, action="approve")
        try:
            with db.session() as s:
                state = service.execute_on_task(
                    s, service.DbCatalog(s), org, cmd, NOW,
                    idempotency_key=f"click-{iid}" if keyed else None)
            done = [t.assignee for t in state.tasks if t.node == "buyer_check"
                    and t.status == "done"]
            out.append((iid, "ok", done[0] if len(done) == 1 else repr(done), state.seq))
        except (ConcurrentUpdate, TransitionNotAllowed) as exc:
            out.append((iid, type(exc).__name__, None, None))
        except Exception as exc:  # reported, and the test fails on it
            out.append((iid, repr(exc), None, None))
    return out


def process_main(url: str, org_path: str, plan: Plan, actor: str, keyed: bool,
                 barrier: Any, results: Any) -> None:
    db = open_database(url)
    try:
        results.put(decide_all(db, read_org(org_path), plan, actor, keyed, barrier))
    except BaseException as exc:
        results.put([("?", repr(exc), None, None)])
    finally:
        db.dispose()
