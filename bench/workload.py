"""The workload every engine benchmark runs: store_opening requests, all approved.

The request is filed by an expansion manager for a site above the CFO's rent threshold,
so every approval step runs: regional director, real estate and legal (two tasks, mode
``all``), finance (``any`` of three), CFO, VP retail, then the CC and the final node:
six decisions per instance, the same six user tasks as ``bpmn/store_opening.bpmn``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from bench.harness import ROOT
from engine.core import (
    DecideTask,
    OrgDirectory,
    ProcessDefinition,
    StartInstance,
    decide_and_fold,
    load_definition_file,
    load_directory,
)
from engine.core.decide import decide
from engine.core.state import InstanceState, apply, pending_tasks, replay

DEFINITION = ROOT / "definitions" / "store_opening.yaml"
ORG = ROOT / "definitions" / "org.yaml"
INITIATOR = "xu.ming"
REQUEST: dict[str, Any] = {
    "store_name": "Jing'an flagship", "city": "Shanghai", "address": "1 Nanjing West Road",
    "area_sqm": 320, "monthly_rent": 120_000, "lease_years": 5, "fitout_budget": 800_000,
    "opening_date": "2026-06-01", "store_format": "flagship", "legal_contact": "song.qian",
}
NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
STEP = timedelta(minutes=7)


@cache
def org() -> OrgDirectory:
    return load_directory(ORG)


@cache
def definition() -> ProcessDefinition:
    return load_definition_file(DEFINITION, org())


def start_command() -> StartInstance:
    return StartInstance(definition_key="store_opening", initiator=INITIATOR, data=dict(REQUEST))


def approve_first_pending(state: InstanceState) -> DecideTask:
    task = pending_tasks(state)[0]
    return DecideTask(task_id=task.task_id, actor=task.assignee, action="approve")


def run_in_memory(count: int) -> int:
    """``count`` instances, start plus every decision to the end, with the pure core
    (``decide_and_fold``: the events and the state after them, as a caller holding the
    state in memory uses it); returns the number of instances."""
    defn, directory = definition(), org()
    for _ in range(count):
        now = NOW
        _, state = decide_and_fold(defn, None, start_command(), now, directory)
        while not state.finished:
            now += STEP
            _, state = decide_and_fold(defn, state, approve_first_pending(state), now,
                                       directory)
        if state.outcome != "approved":
            raise RuntimeError(f"instance ended {state.outcome}, expected approved")
    return count


def decisions_per_instance() -> int:
    defn, directory = definition(), org()
    state = replay(decide(defn, None, start_command(), NOW, directory))
    n = 0
    while not state.finished:
        for event in decide(defn, state, approve_first_pending(state), NOW, directory):
            state = apply(state, event)
        n += 1
    return n
