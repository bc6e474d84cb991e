"""The neutral input of analytics: visits to steps and the cases they belong to.

Every source (an XES or CSV log, Signoff's own ``node_visit`` table) is turned into a
:class:`History` first; every statistic is a pure function of a history.

Times are POSIX seconds (UTC) as floats: a million visits stay small and the hot loops
do plain arithmetic. ``arrived_at`` is None when the arrival is unknown (the first event
of a case in a log holding only completion events).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal["approve", "reject", "return", "other"]
DECISIONS: frozenset[str] = frozenset({"approve", "reject", "return"})
AttrValue = str | float


@dataclass(frozen=True, slots=True)
class Visit:
    """One stay of a case at a step, ended by a decision (or by something else)."""

    case_id: str
    step: str
    arrived_at: float | None
    decided_at: float
    outcome: Outcome
    resource: str | None = None
    commented: bool | None = None  # None: the source does not record comments
    activity: str = ""  # the raw label in an external log; "" for Signoff's own history

    @property
    def wait(self) -> float | None:
        """Seconds from arrival to decision, or None if the arrival is unknown."""
        return None if self.arrived_at is None else self.decided_at - self.arrived_at


@dataclass(frozen=True, slots=True)
class Case:
    """One request: when it started and ended, how it ended, and its attributes."""

    case_id: str
    start: float
    end: float
    outcome: str  # approved | rejected | withdrawn | cancelled | open | other
    attributes: Mapping[str, AttrValue] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class History:
    """Cases by id and their visits, each case's visits in time order."""

    cases: Mapping[str, Case]
    visits: tuple[Visit, ...]
    source: str = ""

    def by_case(self) -> dict[str, list[Visit]]:
        out: dict[str, list[Visit]] = {}
        for v in self.visits:
            out.setdefault(v.case_id, []).append(v)
        return out


def case_outcome(visits: Iterable[Visit]) -> str:
    """A case's outcome from its visits: the last approver decision decides."""
    last = "other"
    for v in visits:
        if v.outcome == "approve":
            last = "approved"
        elif v.outcome == "reject":
            last = "rejected"
        elif v.outcome == "return":
            last = "returned"
    return last
