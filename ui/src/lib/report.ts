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
}

export interface Candidate {
  step: string;
  kind: string;
  summary?: string;
  evidence: Array<[string, unknown]>;
  confidence?: string;
  hoursPerYear?: number;
  cyclePerRequest?: number;
  cyclePerYearHours?: number;
  remedies: Remedy[];
}

export interface NotFlagged {
  step: string;
  fast: boolean;
  reason: string;
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
    confidence: c.confidence,
    hoursPerYear: c.saving.approver_hours_per_year,
    cyclePerRequest: c.saving.cycle_time_removed_per_request_s,
    cyclePerYearHours: c.saving.cycle_time_removed_per_year_h,
    remedies: c.remedies.map((x) => ({ action: x.action, condition: x.condition ?? undefined, detail: x.detail })),
  }));
  const notFlagged = r.not_flagged.map((n): NotFlagged => ({ step: n.step, fast: n.fast, reason: n.reason }));
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
