import { describe, expect, it } from "vitest";
import type { ReportOut } from "../api/types";
import { evidenceKind, exactDuration, readReport, shownDifference } from "./report";

type Step = ReportOut["steps"][number];
type Share = Step["overruled"];
type Durations = Step["wait"];
type Evidence = ReportOut["candidates"][number]["evidence"];

const share = (k: number, n: number): Share => ({ k, n, rate: n ? k / n : null, ci_low: null, ci_high: null });
const waits = (n: number, median_s: number | null, p90_s: number | null = null): Durations =>
  ({ n, median_s, p90_s, mean_s: median_s, total_s: median_s === null ? null : n * median_s });

function step(name: string, visits: number, approve: number, extra: Partial<Step> = {}): Step {
  return {
    step: name, approval: approve > 0, visits, cases: visits, decisions: approve,
    outcomes: { approve, reject: 0, return: 0, other: visits - approve },
    wait: waits(visits, null), wait_business: null,
    rates: { approve: share(approve, approve), reject: share(0, approve), return: share(0, approve),
      reject_or_return: share(0, approve) },
    comment_rate: null, overruled: share(0, approve), burst_decisions: 0, burst_share: null,
    wait_share: 0, cycle_share: 0, approvers: 1, ...extra,
  };
}

const evidence: Evidence = {
  decisions: 118, approve: 118, reject: 0, return: 0, stop_rate: 0, stop_rate_ci_high: null,
  median_wait_s: 240, median_wait_working_s: 240, fast_below_s: null, stamp_ceiling_s: 900, fast: true, comment_rate: null, comments_recorded: false,
  overruled_rate: null, burst_decisions: 0,
};

const held = { status: "held" as const, learned: true,
  learned_on: { requests: 80, first: "2026-01-01T00:00:00+00:00", last: "2026-01-20T00:00:00+00:00" },
  checked_on: { requests: 40, first: "2026-01-20T00:00:00+00:00", last: "2026-01-31T00:00:00+00:00" },
  let_through: 38, stopped: 0, stopped_share: share(0, 38), note: null };

// A small report as engine/analytics/report.py writes it (schema signoff.analytics/1).
const sample: ReportOut = {
  schema: "signoff.analytics/1",
  source: "signoff",
  period: { first: "2026-01-01T00:00:00+00:00", last: "2026-01-31T00:00:00+00:00", days: 30 },
  settings: { thresholds: { max_stop_rate: 0.05, fast_share: 0.02, fast_ratio: 0.25, max_comment_rate: 0.1,
    min_decisions: 30, handling_s: 300, stamp_ceiling_s: 900, learn_share: 0.6667, confidence_level: 0.95 }, burst_gap_s: 10, burst_min: 5, calendar: null },
  summary: { cases: 120, visits: 238, steps: 2, approval_steps: 1, approvers: 1,
    cycle_time: waits(120, 86400), outcomes: { approved: 120 } },
  steps: [
    step("store_ops", 118, 118, { wait: waits(118, 240, 600), comment_rate: share(0, 118), wait_share: 0.01 }),
    step("submit", 120, 0),
  ],
  approvers: [],
  candidates: [{
    step: "store_ops", kind: "rubber_stamp", summary: "store_ops: rubber-stamp candidate.", evidence,
    confidence: "high",
    saving: { statistic: "mean", decisions_per_year: 1400, approver_hours_per_year: 12.5, handling_s_assumed: 240,
      mean_cycle_before_s: 86500, mean_cycle_after_s: 86250, cycle_time_removed_per_request_s: 250, cycle_time_removed_per_year_h: 8.1, share_of_total_cycle_time: 0.01 },
    remedies: [{ action: "skip_if", condition: "monthly_rent < 20000", detail: "all 80 of 80", out_of_time: held },
      { action: "remove", condition: null, detail: "remove the step", out_of_time: null }],
    out_of_time: held,
  }],
  not_flagged: [{ step: "legal", fast: true, reason: "fast but it rejects 12%", reason_code: "careful_check",
    evidence, skip_if: null }],
  excluded_attributes: [{ attribute: "variant_index", reason: "path or identity data (by its name)" }],
  bottlenecks: {
    steps: [{ step: "cfo", approval_wait_share: 0.61, wait_share: 0.5, cycle_share: 0.4, total_wait_s: 1e6,
      median_wait_s: 172800, visits: 10 }],
    approvers: [{ approver: "cfo", wait_share: 0.5, total_wait_s: 1e6, median_wait_s: 100, decisions: 10,
      mean_queue: 2, max_queue: 7, steps: ["cfo"] }],
  },
  trend: [{ month: "2026-01", cases: 40, median_cycle_s: 90000, p90_cycle_s: 90000, mean_cycle_s: 90000, rejected: 2 }],
  per_approver: true,
};

describe("readReport", () => {
  const r = readReport(sample);

  it("knows when the figures per approver were left out", () => {
    expect(r.perApprover).toBe(true);
    const hidden = readReport({ ...sample, per_approver: false, approvers: [],
      bottlenecks: { ...sample.bottlenecks, approvers: [] } });
    expect(hidden.perApprover).toBe(false);
    expect(hidden.bottlenecks.every((b) => b.who === "step")).toBe(true);
  });

  it("reads per-step statistics", () => {
    expect(r.cases).toBe(120);
    expect(r.medianCycle).toBe(86400);
    expect(r.steps[0]).toMatchObject({ step: "store_ops", approval: true, visits: 118, median: 240, p90: 600,
      approveRate: 1, rejectRate: 0, commentRate: 0 });
    expect(r.steps[1]).toMatchObject({ step: "submit", approval: false, median: undefined });
  });

  it("reads a flagged step with its evidence, confidence, saving and remedies", () => {
    const c = r.candidates[0];
    expect(c).toMatchObject({ step: "store_ops", kind: "rubber_stamp", confidence: "high",
      hoursPerYear: 12.5, meanBefore: 86500, meanAfter: 86250, cyclePerRequest: 250, cyclePerYearHours: 8.1 });
    expect(c.evidence).toEqual([["decisions", 118], ["approve", 118], ["reject", 0], ["return", 0],
      ["stop_rate", 0], ["median_wait_s", 240], ["median_wait_working_s", 240], ["stamp_ceiling_s", 900],
      ["fast", true], ["comments_recorded", false], ["burst_decisions", 0]]);
    const oot = { status: "held", learnedOn: 80, checkedOn: 40, letThrough: 38, stopped: 0, note: undefined };
    expect(c.outOfTime).toEqual(oot);
    expect(c.remedies).toEqual([
      { action: "skip_if", condition: "monthly_rent < 20000", detail: "all 80 of 80", outOfTime: oot },
      { action: "remove", condition: undefined, detail: "remove the step", outOfTime: undefined },
    ]);
  });

  it("reads bottlenecks of both kinds, kept steps and the trend", () => {
    expect(r.bottlenecks).toEqual([
      { label: "cfo", who: "step", share: 0.61, median: 172800 },
      { label: "cfo", who: "approver", share: 0.5, median: 100, detail: 7 },
    ]);
    expect(r.notFlagged).toEqual([{ step: "legal", fast: true, reason: "fast but it rejects 12%", code: "careful_check",
      rate: undefined, low: undefined, high: undefined, median: 240, decisions: 118 }]);
    expect(r.trend).toEqual([{ month: "2026-01", cases: 40, median: 90000, rejected: 2 }]);
  });
});

describe("helpers", () => {
  it("evidenceKind picks the display of a value", () => {
    expect(evidenceKind("stop_rate", 0.1)).toBe("percent");
    expect(evidenceKind("stop_rate_ci_high", 0.1)).toBe("percent");
    expect(evidenceKind("median_wait_s", 60)).toBe("duration");
    expect(evidenceKind("fast", true)).toBe("bool");
    expect(evidenceKind("decisions", 3)).toBe("number");
  });

  it("exactDuration keeps every unit so a before, an after and a saving agree", () => {
    const fmt = (s: number) => `${s}s`;
    expect(exactDuration(3 * 3600 + 37 * 60 + 10, "en", fmt)).toBe("10800s 2220s 10s");
    expect(exactDuration(149, "en", fmt)).toBe("120s 29s");
    expect(exactDuration(0, "en", fmt)).toBe("0s");
    expect(shownDifference(44478.4, 44229.6, 248.8)).toBe(44478 - 44230);
    expect(shownDifference(undefined, 1, 5)).toBe(5);
  });
});
