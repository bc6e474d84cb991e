// The analytics report (docs/analytics.md) read defensively: the dashboard shows what is
// there and never breaks on a missing or renamed optional key.

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Value at a dotted path ("wait.median_s"), or undefined. */
export function at(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const key of path.split(".")) {
    if (!isObj(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** The first finite number among the paths; a {rate} object counts as its rate. */
export function num(o: unknown, ...paths: string[]): number | undefined {
  for (const p of paths) {
    let v = at(o, p);
    if (isObj(v) && typeof v.rate === "number") v = v.rate;
    if (typeof v === "number" && Number.isFinite(v)) return v;
  }
  return undefined;
}

export function str(o: unknown, ...paths: string[]): string | undefined {
  for (const p of paths) {
    const v = at(o, p);
    if (typeof v === "string" && v) return v;
  }
  return undefined;
}

function list(o: unknown, ...paths: string[]): unknown[] {
  for (const p of paths) {
    const v = at(o, p);
    if (Array.isArray(v)) return v;
  }
  return [];
}

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
}

function stepOf(o: unknown): string {
  return str(o, "step", "node", "id") ?? "?";
}

function evidenceOf(o: unknown): Array<[string, unknown]> {
  const e = at(o, "evidence");
  if (isObj(e)) return Object.entries(e).filter(([, v]) => v !== null && v !== undefined);
  if (typeof e === "string") return [["text", e]];
  return [];
}

function remediesOf(o: unknown): Remedy[] {
  const r = at(o, "remedies") ?? at(o, "remedy");
  const items = Array.isArray(r) ? r : r === undefined ? [] : [r];
  return items.map((x) => (typeof x === "string" ? { action: x } : {
    action: str(x, "action", "kind") ?? "remove",
    condition: str(x, "condition", "if"),
    detail: str(x, "detail", "text"),
  }));
}

/** The analytics report (schema signoff.analytics/1, docs/analytics.md) for the dashboard. */
export function readReport(raw: unknown): Report {
  const steps = list(raw, "steps").map((s): StepRow => ({
    step: stepOf(s),
    approval: at(s, "approval") !== false,
    visits: num(s, "visits"),
    median: num(s, "wait.median_s", "median_s"),
    p90: num(s, "wait.p90_s", "p90_s"),
    approveRate: num(s, "rates.approve", "approve_rate"),
    rejectRate: num(s, "rates.reject", "reject_rate"),
    returnRate: num(s, "rates.return", "return_rate"),
    commentRate: num(s, "comment_rate"),
    waitShare: num(s, "wait_share"),
  }));
  const candidates = list(raw, "candidates").map((c): Candidate => ({
    step: stepOf(c),
    kind: str(c, "kind") ?? "rubber_stamp",
    summary: str(c, "summary"),
    evidence: evidenceOf(c),
    confidence: str(c, "confidence") ?? (num(c, "confidence") !== undefined ? String(num(c, "confidence")) : undefined),
    hoursPerYear: num(c, "saving.approver_hours_per_year"),
    cyclePerRequest: num(c, "saving.cycle_time_removed_per_request_s"),
    cyclePerYearHours: num(c, "saving.cycle_time_removed_per_year_h"),
    remedies: remediesOf(c),
  }));
  const notFlagged = list(raw, "not_flagged").map((n): NotFlagged => ({
    step: stepOf(n), fast: at(n, "fast") === true, reason: str(n, "reason") ?? "",
  }));
  const b = at(raw, "bottlenecks");
  const bottlenecks: Bottleneck[] = [
    ...list(b, "steps").map((x): Bottleneck => ({ label: stepOf(x), who: "step",
      share: num(x, "approval_wait_share", "wait_share"), median: num(x, "median_wait_s") })),
    ...list(b, "approvers").map((x): Bottleneck => ({ label: str(x, "approver") ?? "?", who: "approver",
      share: num(x, "wait_share"), median: num(x, "median_wait_s"), detail: num(x, "max_queue") })),
  ];
  const trend = list(raw, "trend").map((p): TrendPoint => ({
    month: str(p, "month") ?? "?",
    cases: num(p, "cases"),
    median: num(p, "median_cycle_s"),
    rejected: num(p, "rejected"),
  }));
  return { cases: num(raw, "summary.cases"), medianCycle: num(raw, "summary.cycle_time.median_s"),
    steps, candidates, notFlagged, bottlenecks, trend };
}

/** How an evidence value reads: rates as percentages, *_s as durations. */
export function evidenceKind(key: string, value: unknown): "percent" | "duration" | "bool" | "number" | "text" {
  if (typeof value === "boolean") return "bool";
  if (typeof value !== "number") return "text";
  if (key.endsWith("_rate") || key.endsWith("_share") || key.includes("rate_ci")) return "percent";
  if (key.endsWith("_s")) return "duration";
  return "number";
}
