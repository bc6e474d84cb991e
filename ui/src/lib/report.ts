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
  title: string;
  visits?: number;
  median?: number;
  p90?: number;
  approveRate?: number;
  rejectRate?: number;
  returnRate?: number;
  commentRate?: number;
}

export interface Candidate {
  step: string;
  title: string;
  kind: string;
  evidence: string[];
  confidence?: number;
  confidenceText?: string;
  hoursPerYear?: number;
  cycleSeconds?: number;
  remedy: string;
  remedyText?: string;
}

export interface Bottleneck {
  label: string;
  share?: number;
  seconds?: number;
}

export interface TrendPoint {
  month: string;
  cases?: number;
  median?: number;
}

export interface Report {
  steps: StepRow[];
  candidates: Candidate[];
  bottlenecks: Bottleneck[];
  trend: TrendPoint[];
}

function stepOf(o: unknown): string {
  return str(o, "step", "node", "id", "activity") ?? "?";
}

function evidenceOf(o: unknown): string[] {
  const e = at(o, "evidence");
  if (typeof e === "string") return [e];
  if (Array.isArray(e)) return e.map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  if (isObj(e)) {
    const text = str(e, "text", "summary");
    if (text) return [text];
    return Object.entries(e).map(([k, v]) => `${k}: ${isObj(v) ? JSON.stringify(v) : String(v)}`);
  }
  return [];
}

function remedyOf(o: unknown): { remedy: string; text?: string } {
  const r = at(o, "remedy");
  if (typeof r === "string") return { remedy: r };
  const kind = str(r, "kind", "action", "type") ?? "remove";
  const cond = str(r, "condition", "if");
  return { remedy: kind, text: str(r, "text", "description", "summary") ?? (cond ? `if ${cond}` : undefined) };
}

export function readReport(raw: unknown): Report {
  const steps = list(raw, "steps", "nodes").map((s): StepRow => ({
    step: stepOf(s),
    title: str(s, "title", "node_title", "step_title") ?? stepOf(s),
    visits: num(s, "visits", "n"),
    median: num(s, "wait.median_s", "median_s", "median_seconds", "duration.median_s", "wait_median_s"),
    p90: num(s, "wait.p90_s", "p90_s", "p90_seconds", "duration.p90_s", "wait_p90_s"),
    approveRate: num(s, "approve_rate", "rates.approve"),
    rejectRate: num(s, "reject_rate", "rates.reject"),
    returnRate: num(s, "return_rate", "rates.return"),
    commentRate: num(s, "comment_rate", "rates.comment"),
  }));
  const candidates = list(raw, "candidates", "flags").map((c): Candidate => {
    const { remedy, text } = remedyOf(c);
    const conf = at(c, "confidence");
    return {
      step: stepOf(c),
      title: str(c, "title", "node_title", "step_title") ?? stepOf(c),
      kind: str(c, "kind", "type", "judgment") ?? "rubber_stamp",
      evidence: evidenceOf(c),
      confidence: num(c, "confidence", "confidence.value", "confidence.level", "confidence.score"),
      confidenceText: typeof conf === "string" ? conf : str(c, "confidence.text", "confidence.summary", "confidence.label"),
      hoursPerYear: num(c, "saving.approver_hours_per_year", "saving.approver_hours_year",
        "saving.hours_per_year", "approver_hours_per_year"),
      cycleSeconds: num(c, "saving.cycle_time_seconds", "saving.cycle_time_saved_seconds",
        "saving.cycle_time_s", "cycle_time_saved_seconds"),
      remedy,
      remedyText: text,
    };
  });
  const bottlenecks = list(raw, "bottlenecks").map((b): Bottleneck => ({
    label: str(b, "title", "node_title", "step", "node", "approver", "resource", "name") ?? "?",
    share: num(b, "share", "wait_share", "waiting_share"),
    seconds: num(b, "median_s", "wait.median_s", "wait_s", "total_wait_s", "seconds"),
  }));
  const trend = list(raw, "trend", "monthly").map((p): TrendPoint => ({
    month: str(p, "month", "period") ?? "?",
    cases: num(p, "cases", "instances", "n", "requests"),
    median: num(p, "median_cycle_s", "cycle.median_s", "median_s", "cycle_time.median_s"),
  }));
  return { steps, candidates, bottlenecks, trend };
}
