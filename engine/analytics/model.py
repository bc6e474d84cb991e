"""The neutral input of analytics: visits to steps and the cases they belong to.

Every source (an XES or CSV log, Signoff's own ``node_visit`` table) is turned into a
:class:`History` first; every statistic is a pure function of a history.

Times are POSIX seconds (UTC) as floats: a million visits stay small and the hot loops
do plain arithmetic. ``arrived_at`` is None when the arrival is unknown (the first event
of a case in a log holding only completion events).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from engine.analytics.columns import CaseTable, Columns

Outcome = Literal["approve", "reject", "return", "other"]
DECISIONS: frozenset[str] = frozenset({"approve", "reject", "return"})
AttrValue = str | float


class Visit(NamedTuple):
    """One stay of a case at a step, ended by a decision (or by something else).

    A named tuple, not a dataclass: a log of a million events makes a million of them,
    and a tuple is built several times faster than a frozen dataclass."""

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


class Case(NamedTuple):
    """One request: when it started and ended, how it ended, and its attributes."""

    case_id: str
    start: float
    end: float
    outcome: str  # approved | rejected | withdrawn | cancelled | open | other
    attributes: Mapping[str, AttrValue] = {}  # never mutated

    @property
    def duration(self) -> float:
        return self.end - self.start


class History:
    """Cases by id and their visits, each case's visits in time order.

    Built from visits, or (by a columnar reader) from ``columns`` alone: then the visit
    records are only made if something asks for ``visits``."""

    def __init__(self, cases: Mapping[str, Case], visits: tuple[Visit, ...] | None = None,
                 source: str = "", *, columns: Columns | None = None,
                 _by_case: dict[str, list[Visit]] | None = None,
                 late_attributes: frozenset[str] = frozenset(),
                 case_versions: Mapping[str, int] | None = None,
                 case_times: tuple[Any, Any] | None = None) -> None:
        if visits is None and columns is None:
            raise ValueError("a history needs visits or columns")
        self.cases = cases
        self.source = source
        self._visits = visits
        self._columns = columns
        self._by_case = _by_case
        # attributes the source set or changed after a case's first event: not known
        # when the request was submitted (engine.analytics.leakage)
        self.late_attributes = late_attributes
        # the definition version each case ran on (Signoff's own history only)
        self.case_versions: Mapping[str, int] = case_versions or {}
        self._times: tuple[Any, Any] | None = case_times  # a columnar reader has them

    def visit_count(self) -> int:
        """How many visits, without making visit records for a columnar history."""
        if self._visits is not None:
            return len(self._visits)
        assert self._columns is not None
        return len(self._columns.step)

    @property
    def visits(self) -> tuple[Visit, ...]:
        if self._visits is None:
            from engine.analytics.columns import visits_of

            assert self._columns is not None
            self._visits = visits_of(self._columns)
        return self._visits

    def columns(self) -> Columns:
        """The visits as numpy columns (computed once, then cached)."""
        if self._columns is None:
            from engine.analytics.columns import columns_of

            self._columns = columns_of(self)
        return self._columns

    def case_times(self) -> tuple[Any, Any]:
        """Each case's start and end as numpy arrays, in ``columns().case_ids`` order
        (computed once, then cached)."""
        cached = self._times
        if cached is None:
            import numpy as np

            ids = self.columns().case_ids
            cases = self.cases
            starts = np.fromiter((cases[k].start for k in ids), np.float64, len(ids))
            ends = np.fromiter((cases[k].end for k in ids), np.float64, len(ids))
            cached = self._times = (starts, ends)
        return cached

    def case_outcomes(self) -> list[str]:
        """Each case's outcome, in ``columns().case_ids`` order (a columnar reader's cases
        have them without making case records)."""
        table = self._table()
        if table is not None:
            return table.outcomes
        cases = self.cases
        return [cases[k].outcome for k in self.columns().case_ids]

    def has_attributes(self) -> bool:
        """Whether any case has an attribute."""
        table = self._table()
        if table is not None:
            return table.has_attributes()
        return any(c.attributes for c in self.cases.values())

    def _table(self) -> CaseTable | None:
        from engine.analytics.columns import CaseTable

        return self.cases if isinstance(self.cases, CaseTable) else None

    def by_case(self) -> dict[str, list[Visit]]:
        """Visits grouped per case, in order (computed once, then cached)."""
        cached = self._by_case
        if cached is None:
            cached = {}
            for v in self.visits:
                lst = cached.get(v.case_id)
                if lst is None:
                    cached[v.case_id] = [v]
                else:
                    lst.append(v)
            self._by_case = cached
        return cached


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
