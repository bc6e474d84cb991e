// The analytics report (docs/analytics.md) as the dashboard shows it. The input is the
// generated ReportOut type: a field renamed or removed on the server fails the build.
import type { ReportOut } from "../api/types";

export interface StepRow {
  step: string;
  approval: boolean;
  visits?: number;
  median?: number;
  p90?: number;
  approveRate?: number;
  rejectRate?: number;
  returnRate?: number;
  commentRate?: number;
  waitShare?: number;
}

export interface Remedy {
  action: string;
  condition?: string;
  detail?: string;
  outOfTime?: OutOfTime;
}

/** A rule learned on the earlier requests and checked on the later ones. */
export interface OutOfTime {
  status: "held" | "did_not_hold" | "not_checked";
  learnedOn: number;
  checkedOn: number;
  letThrough: number;
  stopped: number;
  note?: string;
}

export interface Candidate {
  step: string;
  kind: string;
  summary?: string;
  evidence: Array<[string, unknown]>;
  /** the figures the kind's sentence needs, in each language */
  facts: { approve: number; decisions: number; stopHigh?: number; median?: number;
    medianWorking?: number; fastBelow?: number; ceiling: number };
  confidence?: string;
  hoursPerYear?: number;
  /** mean cycle time of all requests with the step and without it (the what-if's numbers) */
  meanBefore?: number;
  meanAfter?: number;
  cyclePerRequest?: number;
  cyclePerYearHours?: number;
  outOfTime?: OutOfTime;
  remedies: Remedy[];
}

export interface NotFlagged {
  step: string;
  fast: boolean;
  reason: string;
  code: string;
  /** reject-or-return share with its 95% interval, median wait, decisions */
  rate?: number;
  low?: number;
  high?: number;
  median?: number;
  decisions: number;
}

export interface Bottleneck {
  label: string;
  who: "step" | "approver";
  share?: number;
  median?: number;
  detail?: number;
}

export interface TrendPoint {
  month: string;
  cases?: number;
  median?: number;
  rejected?: number;
}

export interface Report {
  cases?: number;
  medianCycle?: number;
  steps: StepRow[];
  candidates: Candidate[];
  notFlagged: NotFlagged[];
  bottlenecks: Bottleneck[];
  trend: TrendPoint[];
  /** false when the server left out the figures per approver (not an owner or admin) */
  perApprover: boolean;
}

const opt = (x: number | null | undefined): number | undefined => x ?? undefined;

type OutOfTimeIn = ReportOut["candidates"][number]["out_of_time"];

function outOfTime(v: OutOfTimeIn | null | undefined): OutOfTime | undefined {
  if (!v) return undefined;
  return { status: v.status, learnedOn: v.learned_on.requests, checkedOn: v.checked_on.requests,
    letThrough: v.let_through, stopped: v.stopped, note: v.note ?? undefined };
}

/** The analytics report (schema signoff.analytics/1) for the dashboard. */
export function readReport(r: ReportOut): Report {
  const steps = r.steps.map((s): StepRow => ({
    step: s.step,
    approval: s.approval,
    visits: s.visits,
    median: opt(s.wait.median_s),
    p90: opt(s.wait.p90_s),
    approveRate: opt(s.rates.approve.rate),
    rejectRate: opt(s.rates.reject.rate),
    returnRate: opt(s.rates.return.rate),
    commentRate: opt(s.comment_rate?.rate),
    waitShare: s.wait_share,
  }));
  const candidates = r.candidates.map((c): Candidate => ({
    step: c.step,
    kind: c.kind,
    summary: c.summary,
    evidence: Object.entries(c.evidence).filter(([, v]) => v !== null),
    facts: { approve: c.evidence.approve, decisions: c.evidence.decisions, stopHigh: opt(c.evidence.stop_rate_ci_high),
      median: opt(c.evidence.median_wait_s), medianWorking: opt(c.evidence.median_wait_working_s),
      fastBelow: opt(c.evidence.fast_below_s), ceiling: c.evidence.stamp_ceiling_s },
    confidence: c.confidence,
    hoursPerYear: c.saving.approver_hours_per_year,
    meanBefore: c.saving.mean_cycle_before_s,
    meanAfter: c.saving.mean_cycle_after_s,
    cyclePerRequest: c.saving.cycle_time_removed_per_request_s,
    cyclePerYearHours: c.saving.cycle_time_removed_per_year_h,
    outOfTime: outOfTime(c.out_of_time),
    remedies: c.remedies.map((x) => ({ action: x.action, condition: x.condition ?? undefined, detail: x.detail,
      outOfTime: outOfTime(x.out_of_time) })),
  }));
  const rates = new Map(r.steps.map((s) => [s.step, s.rates.reject_or_return]));
  const notFlagged = r.not_flagged.map((n): NotFlagged => {
    const rr = rates.get(n.step);
    return { step: n.step, fast: n.fast, reason: n.reason, code: n.reason_code,
      rate: opt(rr?.rate), low: opt(rr?.ci_low), high: opt(rr?.ci_high),
      median: opt(n.evidence.median_wait_s), decisions: n.evidence.decisions };
  });
  const bottlenecks: Bottleneck[] = [
    ...r.bottlenecks.steps.map((x): Bottleneck => ({ label: x.step, who: "step",
      share: x.approval_wait_share, median: opt(x.median_wait_s) })),
    ...r.bottlenecks.approvers.map((x): Bottleneck => ({ label: x.approver, who: "approver",
      share: x.wait_share, median: opt(x.median_wait_s), detail: x.max_queue })),
  ];
  const trend = r.trend.map((p): TrendPoint => ({
    month: p.month, cases: p.cases, median: p.median_cycle_s, rejected: p.rejected,
  }));
  return { cases: r.summary.cases, medianCycle: opt(r.summary.cycle_time.median_s),
    steps, candidates, notFlagged, bottlenecks, trend, perApprover: r.per_approver !== false };
}

/** How an evidence value reads: rates as percentages, *_s as durations. */
export function evidenceKind(key: string, value: unknown): "percent" | "duration" | "bool" | "number" | "text" {
  if (typeof value === "boolean") return "bool";
  if (typeof value !== "number") return "text";
  if (key.endsWith("_rate") || key.endsWith("_share") || key.includes("rate_ci")) return "percent";
  if (key.endsWith("_s")) return "duration";
  return "number";
}

/** Every unit of a duration ("3h 37m 10s"), so that a before, an after and their
 * difference read alike (the short form rounds each to its two largest units). */
export function exactDuration(seconds: number | null | undefined, lang: string,
  fmt: (s: number, lang: string) => string): string {
  if (seconds == null || !Number.isFinite(seconds)) return "—";
  let s = Math.round(Math.abs(seconds));
  const parts: number[] = [];
  for (const size of [86400, 3600, 60, 1]) {
    const n = Math.floor(s / size);
    s -= n * size;
    if (n) parts.push(n * size);
  }
  const sep = lang.toLowerCase().startsWith("zh") ? "" : " ";
  const text = parts.length ? parts.map((p) => fmt(p, lang)).join(sep) : fmt(0, lang);
  return seconds < 0 ? `-${text}` : text;
}

/** The saving as shown: the difference of the before and after *as shown* (each to the
 * second), so that "12h 21m 18s → 12h 17m 10s" is followed by "4m 8s", never "4m 7s". */
export function shownDifference(before: number | null | undefined, after: number | null | undefined,
  saved: number | null | undefined): number | undefined {
  if (before == null || after == null) return saved ?? undefined;
  return Math.round(before) - Math.round(after);
}
