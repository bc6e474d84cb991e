"""Per-step figures computed straight from simulated event histories (test helper)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engine.core import events as ev


@dataclass
class StepFigures:
    visits: int = 0
    minutes: list[float] = field(default_factory=list)  # entered -> left, decided visits
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    comments: int = 0  # comments on human decisions
    decisions: int = 0  # human (not automatic) decisions
    deciders: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def rate(self, outcome: str) -> float:
        decided = sum(self.outcomes[o] for o in ("approved", "rejected", "returned"))
        return self.outcomes[outcome] / decided if decided else 0.0

    @property
    def median_minutes(self) -> float:
        return statistics.median(self.minutes)


def step_figures(histories: Iterable[Sequence[ev.Event]]) -> dict[tuple[str, str], StepFigures]:
    out: dict[tuple[str, str], StepFigures] = defaultdict(StepFigures)
    for history in histories:
        first = history[0]
        assert isinstance(first, ev.InstanceStarted)
        key = first.definition_key
        entered: dict[tuple[str, int], datetime] = {}
        for e in history:
            if isinstance(e, ev.NodeEntered):
                entered[(e.node, e.visit)] = e.at
            elif isinstance(e, ev.NodeLeft) and e.outcome in ("approved", "rejected", "returned"):
                fig = out[(key, e.node)]
                fig.visits += 1
                fig.outcomes[e.outcome] += 1
                fig.minutes.append((e.at - entered[(e.node, e.visit)]).total_seconds() / 60)
            elif isinstance(e, ev.TaskDecided) and e.auto is None:
                fig = out[(key, e.node)]
                fig.decisions += 1
                fig.comments += e.comment is not None
                fig.deciders[e.actor] += 1
    return out
