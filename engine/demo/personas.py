"""Who asks for what, and how each approval step behaves: the planted story of the demo.

A ``Behaviour`` says how long an approver takes (a log-normal in office minutes, from
the moment the task reaches them) and how often they reject, return, comment or hand
the task to a colleague. Behaviours belong to a step (definition key, node id); a few
people override their step's speed wherever they sit (the bottleneck).

The planted findings (see ``PLANTED``) are what the analytics and UI tests look for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import time
from typing import Any

RUBBER_STAMP = ("sample_order", "sample_manager")
CAREFUL_FAST = ("sample_order", "store_manager")
LOW_VALUE_GATE = ("store_opening", "vp_review")
BOTTLENECK_USER = "deng.hao"
BOTTLENECK_STEP = ("expense_claim", "finance_review")
SKIP_CONDITION = ("expense_claim", "manager", "amount", 1000.0)  # always approved below

PLANTED: dict[str, Any] = {
    "rubber_stamp": RUBBER_STAMP,
    "careful_fast": CAREFUL_FAST,
    "low_value_gate": LOW_VALUE_GATE,
    "bottleneck_user": BOTTLENECK_USER,
    "bottleneck_step": BOTTLENECK_STEP,
    "skip_condition": SKIP_CONDITION,
}


@dataclass(frozen=True, slots=True)
class Behaviour:
    median_minutes: float  # office minutes from task arrival to decision (log-normal median)
    sigma: float = 0.8  # log-normal shape: 0.5 steady, 1.2 erratic
    reject: float = 0.0
    ret: float = 0.0  # return (to the node's default target)
    comment_on_approve: float = 0.0
    delegate: float = 0.0  # hands the task to a colleague first
    add_signer: float = 0.0  # adds a second opinion (after themselves) first
    approve_below: tuple[str, float] | None = None  # (field, limit): always approves below
    sweeps: tuple[int, ...] = ()  # weekdays (0 = Monday) the approver signs the pile at once


DEFAULT = Behaviour(median_minutes=240, sigma=0.9, reject=0.04, ret=0.04,
                    comment_on_approve=0.15, delegate=0.02)

NODE_BEHAVIOURS: dict[tuple[str, str], Behaviour] = {
    # store opening: a careful chain, the VP at the end is the slow stamp
    ("store_opening", "regional_review"): Behaviour(
        180, 0.9, reject=0.08, ret=0.10, comment_on_approve=0.3, delegate=0.02),
    ("store_opening", "site_review"): Behaviour(
        600, 0.8, reject=0.05, ret=0.08, comment_on_approve=0.35, delegate=0.02,
        add_signer=0.03),
    ("store_opening", "finance_review"): Behaviour(
        300, 0.8, reject=0.06, ret=0.07, comment_on_approve=0.2, delegate=0.01),
    ("store_opening", "cfo_review"): Behaviour(
        720, 0.7, reject=0.10, ret=0.05, comment_on_approve=0.4),
    # the VP signs the week's pile on Friday afternoon, seconds apart: slow, in bursts
    LOW_VALUE_GATE: Behaviour(60, 0.5, sweeps=(4,)),
    # sample order: the store manager checks, the sample desk stamps, logistics ships
    CAREFUL_FAST: Behaviour(20, 0.8, reject=0.10, ret=0.04, comment_on_approve=0.15),
    RUBBER_STAMP: Behaviour(4, 0.9),
    ("sample_order", "logistics"): Behaviour(
        300, 0.9, reject=0.01, ret=0.05, comment_on_approve=0.1, delegate=0.02),
    # expense claim: many small claims; the finance manager signs them all, slowly
    ("expense_claim", "manager"): Behaviour(
        150, 1.0, reject=0.08, ret=0.10, comment_on_approve=0.1, delegate=0.02,
        approve_below=(SKIP_CONDITION[2], SKIP_CONDITION[3])),
    ("expense_claim", "department_head"): Behaviour(
        360, 0.9, reject=0.04, ret=0.04, comment_on_approve=0.2, delegate=0.02),
    BOTTLENECK_STEP: Behaviour(90, 0.8, reject=0.02, ret=0.08, comment_on_approve=0.05),
    ("expense_claim", "committee"): Behaviour(
        1200, 0.7, reject=0.08, ret=0.04, comment_on_approve=0.3),
}

# People who are slow wherever they sit; they also rarely comment and seldom delegate.
USER_OVERRIDES: dict[str, dict[str, Any]] = {
    BOTTLENECK_USER: {"median_minutes": 1800.0, "sigma": 0.6, "delegate": 0.01},
}

# Who starts each process (weights). Sample orders come from store staff, store
# openings mostly from the expansion managers, expense claims from anyone.
INITIATORS: dict[str, dict[str, float]] = {
    "store_opening": {"xu.ming": 4, "gao.feng": 4, "li.na": 1, "ma.jun": 1, "lin.yu": 1,
                      "zhang.wei": 0.5},
    "sample_order": {"bai.lu": 1, "kong.yi": 1, "fang.qi": 1},
    "expense_claim": {},  # empty: anyone with a manager, store people more often
}
PROCESS_MIX = {"store_opening": 0.15, "sample_order": 0.45, "expense_claim": 0.40}

# Demo approvers leave the newest work in their inbox: tasks reaching them in the last
# ``hours`` of office time before the end are still pending when the demo starts.
HOLD_BACK_HOURS = {"zhao.lei": 18.0, "li.na": 9.0, "qian.yu": 9.0, "shen.jie": 9.0,
                   "han.mei": 9.0}
SWEEP_AT = time(16, 0)  # when an approver with ``sweeps`` sits down with the pile

# Share of requests the requester withdraws while running, and of returned ones dropped.
WITHDRAW_RUNNING = 0.02
WITHDRAW_RETURNED = 0.15
RESUBMIT_MEDIAN_MINUTES = 240.0


def behaviour(key: str, node: str, assignee: str) -> Behaviour:
    base = NODE_BEHAVIOURS.get((key, node), DEFAULT)
    override = USER_OVERRIDES.get(assignee)
    return replace(base, **override) if override else base


__all__ = [
    "BOTTLENECK_STEP", "BOTTLENECK_USER", "CAREFUL_FAST", "DEFAULT", "HOLD_BACK_HOURS",
    "INITIATORS", "LOW_VALUE_GATE", "NODE_BEHAVIOURS", "PLANTED", "PROCESS_MIX",
    "RESUBMIT_MEDIAN_MINUTES", "RUBBER_STAMP", "SKIP_CONDITION", "SWEEP_AT", "USER_OVERRIDES",
    "WITHDRAW_RETURNED", "WITHDRAW_RUNNING", "Behaviour", "behaviour",
]
