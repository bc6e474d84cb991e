// Date rules a process owner declares on a form's date fields (`earliest: today+30d`,
// `latest: start_date+1w`): the browser's copy of engine/core/form_rules.py. Both read the
// same representation and tests/fixtures/date_rules.json feeds the same cases to each.

export type Rule = "earliest" | "latest";
export interface DateBound { base: string; days: number }
export interface Violation { field: string; rule: Rule; limit: string; bound: DateBound }

const RULES: Rule[] = ["earliest", "latest"];
const EXPR = /^\s*(today|[a-z_][a-z0-9_]*)\s*(?:([+-])\s*(\d{1,4})\s*([dw]))?\s*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseBound(text: unknown): DateBound | null {
  const m = typeof text === "string" ? EXPR.exec(text) : null;
  if (!m) return null;
  const [, base, sign, n, unit] = m;
  const days = Number(n ?? 0) * (unit === "w" ? 7 : 1) * (sign === "-" ? -1 : 1);
  return { base, days };
}

/** The day of a YYYY-MM-DD text as a UTC time, or null when it is no real date. */
function day(value: unknown): number | null {
  if (typeof value !== "string" || !DATE.test(value)) return null;
  const d = new Date(0); // setUTCFullYear, not Date.UTC: years 1 to 99 stay themselves
  d.setUTCFullYear(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, Number(value.slice(8, 10)));
  return d.getUTCFullYear() > 0 && d.toISOString().slice(0, 10) === value ? d.getTime() : null;
}

function iso(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

type Props = Record<string, Record<string, unknown>>;

/** (field, rule, the bound as written) of each top-level property that declares one. */
export function declared(schema: Record<string, unknown>): [string, Rule, unknown][] {
  const props = (schema.properties ?? {}) as Props;
  const out: [string, Rule, unknown][] = [];
  for (const [name, spec] of Object.entries(props)) {
    if (!spec || typeof spec !== "object") continue;
    for (const rule of RULES) if (rule in spec) out.push([name, rule, spec[rule]]);
  }
  return out;
}

/** The date rules `data` breaks on `today` (YYYY-MM-DD); empty fields are left to the schema. */
export function violations(schema: Record<string, unknown>, data: Record<string, unknown>,
  today: string): Violation[] {
  const out: Violation[] = [];
  for (const [field, rule, raw] of declared(schema)) {
    const value = day(data[field]);
    const bound = parseBound(raw);
    if (value == null || !bound) continue;
    const base = bound.base === "today" ? day(today) : day(data[bound.base]);
    if (base == null) continue;
    const limit = base + bound.days * 86400000;
    const year = new Date(limit).getUTCFullYear();
    if (year < 1 || year > 9999) continue; // as Python's dates: no such day, no rule broken
    if ((rule === "earliest" && value < limit) || (rule === "latest" && value > limit)) {
      out.push({ field, rule, limit: iso(limit), bound });
    }
  }
  return out;
}

/** Today in the browser's own calendar, as YYYY-MM-DD. */
export function localToday(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}
