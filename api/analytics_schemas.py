"""Response bodies of the analytics routes: the report (schema ``signoff.analytics/1``)
and the what-if answer, field by field as ``docs/analytics.md`` explains them.

``engine.analytics`` builds plain JSON-ready dictionaries; these models are their
contract. They forbid unknown keys, so a key the engine adds without declaring it here
fails the tests (``tests/analytics/test_report.py``) instead of vanishing from the API.
Times are seconds, shares are fractions of 1.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ProcessOut(_Out):
    key: str
    title: str
    instances: int


class DurationsOut(_Out):
    """Summary of durations in seconds (null when there are none)."""

    n: int
    median_s: float | None
    p90_s: float | None
    mean_s: float | None
    total_s: float | None


class ShareOut(_Out):
    """``k`` of ``n``, with a 95 % Wilson score interval (null when ``n`` is 0)."""

    k: int
    n: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None


class PeriodOut(_Out):
    first: str = Field(description="Start of the first request (ISO 8601, UTC)")
    last: str = Field(description="End of the last request (ISO 8601, UTC)")
    days: float


class ThresholdsOut(_Out):
    max_stop_rate: float
    fast_share: float
    fast_ratio: float
    max_comment_rate: float
    min_decisions: int
    handling_s: float
    stamp_ceiling_s: float = Field(description="A rubber stamp's median working-time "
                                   "wait is at most this")
    learn_share: float = Field(description="Rules are learned on this earlier share of "
                               "the requests and checked on the rest")
    confidence_level: float


class CalendarOut(_Out):
    country: str | None = Field(description="Public holidays of this country; null: none")
    timezone: str
    hours: str = Field(description="Working hours, e.g. 09:00-18:00")
    weekdays: list[int] = Field(description="Working days, 0 = Monday")


class ReportSettingsOut(_Out):
    thresholds: ThresholdsOut
    burst_gap_s: float
    burst_min: int
    calendar: CalendarOut | None


class SummaryOut(_Out):
    cases: int
    visits: int
    steps: int
    approval_steps: int
    approvers: int
    cycle_time: DurationsOut
    outcomes: dict[str, int] = Field(description="Requests per final outcome")


class OutcomesOut(_Out):
    approve: int
    reject: int
    return_: int = Field(alias="return")
    other: int


class RatesOut(_Out):
    approve: ShareOut
    reject: ShareOut
    return_: ShareOut = Field(alias="return")
    reject_or_return: ShareOut


class StepOut(_Out):
    step: str
    approval: bool = Field(description="The step has approver decisions")
    visits: int
    cases: int
    decisions: int
    outcomes: OutcomesOut
    wait: DurationsOut
    wait_business: DurationsOut | None = Field(description="Working time; null without "
                                                           "a calendar")
    rates: RatesOut
    comment_rate: ShareOut | None = Field(description="Null when comments are not recorded")
    overruled: ShareOut = Field(description="Approvals a later step rejected or returned")
    burst_decisions: int
    burst_share: float | None
    wait_share: float
    cycle_share: float
    approvers: int = Field(description="Distinct deciders")


class ApproverOut(_Out):
    approver: str
    decisions: int
    steps: list[str]
    wait: DurationsOut
    wait_share: float
    mean_queue: float
    max_queue: int


class EvidenceOut(_Out):
    decisions: int
    approve: int
    reject: int
    return_: int = Field(alias="return")
    stop_rate: float | None
    stop_rate_ci_high: float | None
    median_wait_s: float | None
    median_wait_working_s: float | None = Field(description="In working time (wall "
                                                "clock without a calendar)")
    fast_below_s: float | None
    stamp_ceiling_s: float
    fast: bool
    comment_rate: float | None
    comments_recorded: bool
    overruled_rate: float | None
    burst_decisions: int


class SavingOut(_Out):
    statistic: Literal["mean"] = Field(description="Cycle-time savings are differences "
                                       "of the mean over all requests")
    decisions_per_year: float
    approver_hours_per_year: float
    handling_s_assumed: float
    mean_cycle_before_s: float
    mean_cycle_after_s: float
    cycle_time_removed_per_request_s: float = Field(
        description="mean_cycle_before_s - mean_cycle_after_s (the what-if's saving)")
    cycle_time_removed_per_year_h: float
    share_of_total_cycle_time: float


class PartOut(_Out):
    requests: int
    first: str | None = Field(description="Start of its first request (ISO 8601, UTC)")
    last: str | None


class OutOfTimeOut(_Out):
    """A rule learned on the earlier part of the history, checked on the later part."""

    status: Literal["held", "did_not_hold", "not_checked"]
    learned: bool = Field(description="The earlier part alone supports the rule")
    learned_on: PartOut
    checked_on: PartOut
    let_through: int = Field(description="Later requests the rule would have let through")
    stopped: int = Field(description="How many of those this step actually stopped")
    stopped_share: ShareOut
    note: str | None = Field(description="Why it was not checked")


class RemedyOut(_Out):
    action: Literal["skip_if", "notify", "remove"]
    condition: str | None
    detail: str
    out_of_time: OutOfTimeOut | None


class CandidateOut(_Out):
    step: str
    kind: Literal["rubber_stamp", "low_value_gate"]
    evidence: EvidenceOut
    confidence: Literal["high", "medium"]
    saving: SavingOut
    remedies: list[RemedyOut] = Field(description="Best first")
    summary: str
    out_of_time: OutOfTimeOut = Field(description="The removal checked out of time")


class SkipIfOut(_Out):
    condition: str
    covered: int
    cases: int
    detail: str
    out_of_time: OutOfTimeOut | None


class ExcludedAttributeOut(_Out):
    attribute: str
    reason: str


class NotFlaggedOut(_Out):
    step: str
    fast: bool
    reason: str
    reason_code: Literal["too_few", "unproven", "careful_check", "uncertain", "stops",
                         "comments", "did_not_hold"] = Field(
        description="The reason as a code, for a UI to word in its language")
    evidence: EvidenceOut
    skip_if: SkipIfOut | None


class BottleneckStepOut(_Out):
    step: str
    approval_wait_share: float
    wait_share: float
    cycle_share: float
    total_wait_s: float
    median_wait_s: float | None
    visits: int


class BottleneckApproverOut(_Out):
    approver: str
    wait_share: float
    total_wait_s: float
    median_wait_s: float | None
    decisions: int
    mean_queue: float
    max_queue: int
    steps: list[str]


class BottlenecksOut(_Out):
    steps: list[BottleneckStepOut]
    approvers: list[BottleneckApproverOut]


class TrendOut(_Out):
    month: str = Field(description="YYYY-MM, in the calendar's time zone")
    cases: int
    median_cycle_s: float
    p90_cycle_s: float
    mean_cycle_s: float
    rejected: int


class ActivityOut(_Out):
    activity: str
    events: int
    cases: int
    wait: DurationsOut


class SideOut(_Out):
    """The requests of one definition version."""

    requests: int
    median_cycle_s: float | None
    median_ci_low_s: float | None = Field(description="95 % interval of the median")
    median_ci_high_s: float | None
    mean_cycle_s: float | None
    stopped: ShareOut = Field(description="Requests rejected or returned at any step")


class StepChangeOut(_Out):
    step: str
    title: str = Field(description="Its title in the version before")
    title_zh: str
    before: ShareOut = Field(description="Its stop rate (reject or return) before")
    after: ShareOut | None = Field(description="After; null when the step was removed")


class ChangeOut(_Out):
    from_version: int
    to_version: int
    removed: list[str] = Field(description="Approval steps the later version removed")
    changed: list[str] = Field(description="Approval steps it changed")
    before: SideOut
    after: SideOut
    steps: list[StepChangeOut]


class VersionsOut(_Out):
    current: int | None = Field(description="The newest definition version with requests")
    judged: list[int] = Field(description="Versions whose requests the judgments use")
    changes: list[ChangeOut] = Field(description="Effects of removed or changed steps")


class ReportOut(_Out):
    """Every statistic and judgment of one process's history (docs/analytics.md)."""

    schema_: str = Field(alias="schema", description="signoff.analytics/1")
    source: str
    period: PeriodOut
    settings: ReportSettingsOut
    summary: SummaryOut
    steps: list[StepOut]
    approvers: list[ApproverOut]
    candidates: list[CandidateOut]
    not_flagged: list[NotFlaggedOut]
    excluded_attributes: list[ExcludedAttributeOut] = Field(
        description="Case attributes no learned condition may use, and why")
    bottlenecks: BottlenecksOut
    trend: list[TrendOut]
    per_approver: bool = Field(description="False when `approvers` and "
                               "`bottlenecks.approvers` were left out: figures per person "
                               "are for process owners and administrators only")
    activities: list[ActivityOut] | None = Field(
        None, description="Per raw label; only when labels differ from steps")
    versions: VersionsOut | None = Field(
        None, description="Signoff's own history: judgments per definition version and "
        "the effect of each change")


class SkipEditOut(_Out):
    node: str
    if_: str = Field(alias="if")


class EditOut(_Out):
    remove: list[str]
    skip: list[SkipEditOut]


class CycleOut(_Out):
    cases: int
    median_cycle_s: float | None
    p90_cycle_s: float | None
    mean_cycle_s: float | None
    total_cycle_s: float | None


class LostRejectionOut(_Out):
    case_id: str
    step: str
    outcome: str
    at: str


class WhatIfOut(_Out):
    """The history replayed without the removed or skipped visits."""

    edit: EditOut
    statistic: Literal["mean"] = Field(description="The saving compares the mean cycle "
                                       "time: baseline minus scenario")
    baseline: CycleOut
    scenario: CycleOut
    cycle_time_saved_seconds: float = Field(
        description="baseline.mean_cycle_s - scenario.mean_cycle_s")
    cycle_time_saved_total_seconds: float
    affected_cases: int
    cycle_time_saved_per_affected_case_seconds: float
    visits_removed: int
    lost_rejections: list[LostRejectionOut] = Field(
        description="Requests that only a removed visit stopped")


class DraftOut(_Out):
    """A draft definition without one approval step, for the owner to review."""

    key: str
    base_version: int = Field(description="The published version the draft edits")
    remove: str
    yaml: str
    diff: str = Field(description="Unified diff from the published version")


__all__ = ["DraftOut", "ProcessOut", "ReportOut", "WhatIfOut"]
