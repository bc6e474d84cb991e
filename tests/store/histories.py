"""Event histories decided in memory by the core (no database), for bulk-load tests."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from engine.core import commands as cmds
from engine.core.decide import decide
from engine.core.definition import ProcessDefinition
from engine.core.directory import OrgDirectory
from engine.core.events import Event
from engine.core.state import replay


def simulate(defn: ProcessDefinition, org: OrgDirectory, n: int, start: datetime,
             seed: int = 7) -> list[list[Event]]:
    """``n`` purchase histories: approvals, rejections, returns with resubmission,
    comments, and a few left running."""
    rnd = random.Random(seed)
    ids = (uuid.UUID(int=rnd.getrandbits(128), version=4) for _ in iter(int, 1))
    out = []
    for i in range(n):
        now = start + timedelta(hours=3 * i)
        history = decide(defn, None, cmds.StartInstance(
            definition_key=defn.key, initiator="ann",
            data={"item": f"item {i}", "amount": rnd.randint(1, 500)}), now, org,
            lambda: next(ids))
        for _ in range(rnd.randint(0, 8)):
            state = replay(history)
            if state.finished_at is not None:
                break
            now += timedelta(minutes=rnd.randint(1, 3000))
            cmd: cmds.Command
            if state.status == "returned":
                cmd = cmds.Resubmit(actor="ann", data=dict(state.data))
            else:
                task = rnd.choice([t for t in state.tasks if t.status == "pending"])
                action = rnd.choices(["approve", "reject", "return"], [8, 1, 1])[0]
                cmd = cmds.DecideTask(task_id=task.task_id, actor=task.assignee,
                                      action=action,  # type: ignore[arg-type]
                                      comment=rnd.choice([None, None, "ok", "why?"])
                                      or (None if action == "approve" else "a reason"))
            history = [*history, *decide(defn, state, cmd, now, org, lambda: next(ids))]
        out.append(history)
    return out
