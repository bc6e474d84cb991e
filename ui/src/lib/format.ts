// Durations and dates for people, in the UI's language.

export type Lang = "en" | "zh-CN";

const UNITS: Record<Lang, { d: string; h: string; m: string; s: string; sep: string }> = {
  en: { d: "d", h: "h", m: "m", s: "s", sep: " " },
  "zh-CN": { d: "天", h: "小时", m: "分钟", s: "秒", sep: "" },
};

export function normLang(lang: string | undefined): Lang {
  return lang && lang.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

/**
 * A duration with its two largest units: 90061 s -> "1d 1h" / "1天1小时".
 * Under a minute shows seconds; null/undefined/NaN shows an em dash.
 */
export function formatDuration(seconds: number | null | undefined, lang: string = "en"): string {
  if (seconds == null || !Number.isFinite(seconds)) return "—";
  const u = UNITS[normLang(lang)];
  const neg = seconds < 0;
  let s = Math.round(Math.abs(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts: string[] = [];
  if (d) parts.push(`${d}${u.d}`);
  if (h) parts.push(`${h}${u.h}`);
  if (m && !d) parts.push(`${m}${u.m}`);
  if (!d && !h && (s || !m)) parts.push(`${s}${u.s}`);
  const text = parts.slice(0, 2).join(u.sep);
  return neg ? `-${text}` : text;
}

/** Hours with one decimal when small: 0.25 -> "0.3", 1234.5 -> "1,235". */
export function formatHours(hours: number | null | undefined, lang: string = "en"): string {
  if (hours == null || !Number.isFinite(hours)) return "—";
  const digits = Math.abs(hours) < 10 ? 1 : 0;
  return new Intl.NumberFormat(normLang(lang), { maximumFractionDigits: digits }).format(hours);
}

export function formatPercent(ratio: number | null | undefined, lang: string = "en"): string {
  if (ratio == null || !Number.isFinite(ratio)) return "—";
  return new Intl.NumberFormat(normLang(lang), { style: "percent", maximumFractionDigits: 1 })
    .format(ratio);
}

export function formatDateTime(iso: string | null | undefined, lang: string = "en"): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(normLang(lang), {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  }).format(d);
}

/** Seconds from `iso` until `now` (positive when in the past). */
export function secondsSince(iso: string | null | undefined, now: Date = new Date()): number | null {
  if (!iso) return null;
  const t = new Date(iso).getTime();
  return Number.isNaN(t) ? null : (now.getTime() - t) / 1000;
}

/**
 * An amount with separators, and the currency when the form declares one
 * (`currency: CNY` on the field): 15821.25 -> "¥15,821.25" / "15,821.25".
 * A value that is not a number is shown as it is.
 */
export function formatAmount(value: unknown, currency?: string | null, lang: string = "en"): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return value == null ? "—" : String(value);
  const opts: Intl.NumberFormatOptions = currency
    ? { style: "currency", currency, currencyDisplay: "narrowSymbol" }
    : { maximumFractionDigits: 6 };
  try {
    return new Intl.NumberFormat(normLang(lang), opts).format(value);
  } catch {
    // an unknown currency code: the number, then the code
    return `${new Intl.NumberFormat(normLang(lang), { maximumFractionDigits: 2 }).format(value)} ${currency}`;
  }
}

/**
 * What a person typed into a number field, as the form keeps it: a number ("15,821.25"
 * and "1.5e3" included), nothing for an empty field, and otherwise the text itself, so
 * the form says it is not a number instead of silently saving nothing ("12e").
 */
export function parseNumberInput(text: string): number | string | undefined {
  const s = text.trim();
  if (!s) return undefined;
  const plain = s.replace(/(\d),(?=\d{3}(\D|$))/g, "$1");
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(plain)) {
    const n = Number(plain);
    if (Number.isFinite(n)) return n;
  }
  return text;
}

/**
 * A form value as people read it, from its field's schema: amounts with separators and
 * currency, a choice by its title (`oneOf: [{const, title}]`), a person by name (`name`
 * turns a username into one), a list of entries counted; `empty` for nothing.
 */
export function formatValue(spec: Record<string, unknown> | undefined, value: unknown, lang: string,
  name: (username: string) => string, empty: string): string {
  if (value == null || value === "") return empty;
  if (typeof value === "number") return formatAmount(value, typeof spec?.currency === "string" ? spec.currency : null, lang);
  if (typeof value === "boolean") return value ? "✓" : "✗";
  if (typeof value === "string") {
    const choices = Array.isArray(spec?.oneOf) ? spec.oneOf as Record<string, unknown>[] : [];
    const choice = choices.find((c) => c && c.const === value);
    if (choice && typeof choice.title === "string") return choice.title;
    return name(value);
  }
  return JSON.stringify(value);
}
