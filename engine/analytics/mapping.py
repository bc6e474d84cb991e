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
# Decision words approvers write, in English and Chinese (``--approve-words`` etc.
# replace a list). Compared without case; a label ending in one ("Manager OK",
# "经理 同意", "经理同意") is that step's decision when the pattern gives no outcome.
DEFAULT_WORDS: Mapping[Outcome, tuple[str, ...]] = {
    "approve": ("approve", "approved", "ok", "okay", "accept", "accepted", "agree",
                "agreed", "granted", "signed off", "同意", "批准", "通过", "核准", "准予",
                "已批准", "审批通过"),
    "reject": ("reject", "rejected", "decline", "declined", "deny", "denied", "refuse",
               "refused", "驳回", "拒绝", "不同意", "否决", "不通过", "不批准", "已驳回"),
    "return": ("return", "returned", "sent back", "send back", "rework", "退回", "退回修改",
               "返回修改", "打回", "发回"),
}
_SEPARATORS = " \t:-_/|,;()[]：，（）【】"


class MappingInvalid(AnalysisInvalid):
    """A label mapping that cannot work (bad regular expression, missing groups)."""


@dataclass(frozen=True)
class LabelMapping:
    pattern: str = DEFAULT_PATTERN
    verbs: Mapping[str, Outcome] = field(default_factory=lambda: dict(DEFAULT_VERBS))
    requester_roles: frozenset[str] = frozenset({"EMPLOYEE"})
    step_template: str = "{object} by {role}"
    words: Mapping[Outcome, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_WORDS))
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
        bad = {k for k in self.words if k not in ("approve", "reject", "return")}
        if bad:
            raise MappingInvalid(f"decision words are for approve|reject|return, got {sorted(bad)}")
        seen: dict[str, Outcome] = {}
        for outcome, words in self.words.items():
            for w in words:
                key = w.strip().casefold()
                if not key:
                    raise MappingInvalid(f"an empty {outcome} word")
                if seen.setdefault(key, outcome) != outcome:
                    raise MappingInvalid(f"decision word {w!r} is both {seen[key]} and "
                                         f"{outcome}")
        object.__setattr__(self, "_re", rx)
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "_words", seen)
        object.__setattr__(self, "_longest_first", sorted(seen, key=len, reverse=True))

    def outcome_word(self, text: str) -> Outcome | None:
        """The outcome a whole cell names ("OK", "Declined", "驳回"), or None."""
        return self._words.get(text.strip().casefold())  # type: ignore[attr-defined, no-any-return]

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
            return self._by_word(label) or (label, "other")
        g = m.groupdict()
        role = (g.get("role") or "").strip()
        step = g.get("step") or self.step_template.format(
            object=(g.get("object") or "").strip(), role=role)
        outcome: Outcome = self.verbs.get(g.get("verb") or "", "other")
        if role in self.requester_roles:
            return step, "other"
        if outcome == "other" and "verb" not in g:
            return self._by_word(step) or (step, outcome)
        return step, outcome

    def _by_word(self, label: str) -> tuple[str, Outcome] | None:
        """``(step, outcome)`` of a label ending in a decision word: "Manager OK" is the
        Manager step approving; a word in Chinese needs no separator ("经理同意")."""
        folded = label.casefold().rstrip(_SEPARATORS)
        for word in self._longest_first:  # type: ignore[attr-defined]
            if not folded.endswith(word):
                continue
            cut = len(folded) - len(word)
            before = folded[cut - 1] if cut else ""
            if not before or not (before in _SEPARATORS or _cjk(word[0])):
                continue
            step = label[:cut].rstrip(_SEPARATORS)
            if step:
                return step, self._words[word]  # type: ignore[attr-defined]
        return None


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


IDENTITY = LabelMapping(pattern=r"^(?P<step>.+)$", verbs={}, words={})
