"""From an activity label in an external log to (step, outcome).

Many systems write the step and the decision into one label, such as BPI Challenge
2020's ``Permit APPROVED by SUPERVISOR``. A :class:`LabelMapping` is a regular
expression with named groups:

- ``step`` names the step directly, or ``object`` and ``role`` are joined by
  ``step_template`` (default ``"{object} by {role}"``);
- ``verb`` is looked up in ``verbs`` to give the outcome (approve / reject / return);
  any other verb, or a label the expression does not match, gives outcome ``other``
  and the label itself as the step.

A decision by a role in ``requester_roles`` (default ``EMPLOYEE``: BPIC 2020's
``REJECTED by EMPLOYEE`` is the employee withdrawing or acknowledging a rejection) is
the requester's act, not an approver decision: its outcome is ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.analytics.model import Outcome
from engine.core.errors import AnalysisInvalid

DEFAULT_PATTERN = (
    r"^(?P<object>.+?) (?P<verb>[A-Z][A-Z_]*) by (?P<role>[A-Z_][A-Z_ ]*)$"
)
DEFAULT_VERBS: Mapping[str, Outcome] = {
    "APPROVED": "approve", "FINAL_APPROVED": "approve", "REJECTED": "reject",
    "RETURNED": "return", "SENT_BACK": "return",
}


class MappingInvalid(AnalysisInvalid):
    """A label mapping that cannot work (bad regular expression, missing groups)."""


@dataclass(frozen=True)
class LabelMapping:
    pattern: str = DEFAULT_PATTERN
    verbs: Mapping[str, Outcome] = field(default_factory=lambda: dict(DEFAULT_VERBS))
    requester_roles: frozenset[str] = frozenset({"EMPLOYEE"})
    step_template: str = "{object} by {role}"
    _re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _cache: dict[str, tuple[str, Outcome]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            rx = re.compile(self.pattern)
        except re.error as exc:
            raise MappingInvalid(f"label pattern {self.pattern!r}: {exc}") from exc
        groups = set(rx.groupindex)
        if "step" not in groups and not {"object", "role"} <= groups:
            raise MappingInvalid(
                f"label pattern {self.pattern!r}: needs a named group 'step', "
                "or both 'object' and 'role'")
        bad = {v for v in self.verbs.values() if v not in ("approve", "reject", "return")}
        if bad:
            raise MappingInvalid(f"verb outcomes must be approve|reject|return, got {sorted(bad)}")
        object.__setattr__(self, "_re", rx)
        object.__setattr__(self, "_cache", {})

    def map(self, label: str) -> tuple[str, Outcome]:
        """(step, outcome) of one activity label; cached, labels repeat a lot."""
        hit = self._cache.get(label)
        if hit is None:
            hit = self._map(label)
            self._cache[label] = hit
        return hit

    def _map(self, label: str) -> tuple[str, Outcome]:
        m = self._re.match(label)
        if m is None:
            return label, "other"
        g = m.groupdict()
        role = (g.get("role") or "").strip()
        step = g.get("step") or self.step_template.format(
            object=(g.get("object") or "").strip(), role=role)
        outcome: Outcome = self.verbs.get(g.get("verb") or "", "other")
        if role in self.requester_roles:
            outcome = "other"
        return step, outcome


IDENTITY = LabelMapping(pattern=r"^(?P<step>.+)$", verbs={})
