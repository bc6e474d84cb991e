import { describe, expect, it } from "vitest";
import { evidenceKind, num, readReport } from "./report";

// The shape of engine/analytics/report.py (schema signoff.analytics/1), trimmed.
const sample = {
  schema: "signoff.analytics/1",
  summary: { cases: 120, cycle_time: { n: 120, median_s: 86400 } },
  steps: [
    { step: "store_ops", approval: true, visits: 118, wait: { n: 118, median_s: 240, p90_s: 600 },
      rates: { approve: { k: 118, n: 118, rate: 1 }, reject: { rate: 0 }, return: { rate: 0 } },
      comment_rate: { k: 0, n: 118, rate: 0 }, wait_share: 0.01 },
    { step: "submit", approval: false, visits: 120, wait: { median_s: null } },
  ],
  candidates: [{
    step: "store_ops", kind: "rubber_stamp", summary: "store_ops: rubber-stamp candidate.",
    evidence: { decisions: 118, stop_rate: 0, median_wait_s: 240, fast: true, comment_rate: null },
    confidence: "high",
    saving: { approver_hours_per_year: 12.5, cycle_time_removed_per_request_s: 250, cycle_time_removed_per_year_h: 8.1 },
    remedies: [{ action: "skip_if", condition: "monthly_rent < 20000", detail: "all 80 of 80" },
      { action: "remove", condition: null, detail: "remove the step" }],
  }],
  not_flagged: [{ step: "legal", fast: true, reason: "fast but it rejects 12%" }],
  bottlenecks: {
    steps: [{ step: "cfo", approval_wait_share: 0.61, median_wait_s: 172800 }],
    approvers: [{ approver: "cfo", wait_share: 0.5, median_wait_s: 100, max_queue: 7 }],
  },
  trend: [{ month: "2026-01", cases: 40, median_cycle_s: 90000, rejected: 2 }],
};

describe("readReport", () => {
  const r = readReport(sample);

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
      hoursPerYear: 12.5, cyclePerRequest: 250, cyclePerYearHours: 8.1 });
    expect(c.evidence).toEqual([["decisions", 118], ["stop_rate", 0], ["median_wait_s", 240], ["fast", true]]);
    expect(c.remedies).toEqual([
      { action: "skip_if", condition: "monthly_rent < 20000", detail: "all 80 of 80" },
      { action: "remove", condition: undefined, detail: "remove the step" },
    ]);
  });

  it("reads bottlenecks of both kinds, kept steps and the trend", () => {
    expect(r.bottlenecks).toEqual([
      { label: "cfo", who: "step", share: 0.61, median: 172800 },
      { label: "cfo", who: "approver", share: 0.5, median: 100, detail: 7 },
    ]);
    expect(r.notFlagged).toEqual([{ step: "legal", fast: true, reason: "fast but it rejects 12%" }]);
    expect(r.trend).toEqual([{ month: "2026-01", cases: 40, median: 90000, rejected: 2 }]);
  });

  it("survives an empty or odd document", () => {
    expect(readReport(null)).toMatchObject({ steps: [], candidates: [], bottlenecks: [], trend: [] });
    expect(readReport({ steps: "x", bottlenecks: [] }).steps).toEqual([]);
  });
});

describe("helpers", () => {
  it("num takes the first number and unwraps {rate}", () => {
    expect(num({ a: { rate: 0.5 } }, "a")).toBe(0.5);
    expect(num({ a: null, b: 2 }, "a", "b")).toBe(2);
    expect(num({}, "a")).toBeUndefined();
  });

  it("evidenceKind picks the display of a value", () => {
    expect(evidenceKind("stop_rate", 0.1)).toBe("percent");
    expect(evidenceKind("stop_rate_ci_high", 0.1)).toBe("percent");
    expect(evidenceKind("median_wait_s", 60)).toBe("duration");
    expect(evidenceKind("fast", true)).toBe("bool");
    expect(evidenceKind("decisions", 3)).toBe("number");
  });
});
