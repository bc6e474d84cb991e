// A request form's problems in plain words, per field, in the UI's language: the
// validator's own text ("must have required property 'x'", "must be >= 0") is replaced
// by a sentence naming the field by its title. Also the form's labels in Chinese
// (`title_zh` beside `title`) and the date rules (formRules.ts) as field errors.
import type { FormValidation, RJSFValidationError } from "@rjsf/utils";
import { normLang } from "./format";
import { violations } from "./formRules";

type T = (key: string, options?: Record<string, unknown>) => string;
type Schema = Record<string, unknown>;

/** `schema` with `title_zh` in place of `title` (fields, list items, choices) in Chinese. */
export function localizeSchema<S>(schema: S, lang: string | undefined): S {
  if (normLang(lang) !== "zh-CN") return schema;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = walk(v);
    if (typeof out.title_zh === "string" && out.title_zh) out.title = out.title_zh;
    return out;
  };
  return walk(schema) as S;
}

/** The subschema at a data path (through `properties` and `items`). */
export function specAt(schema: Schema, path: (string | number)[]): Schema | undefined {
  let spec: unknown = schema;
  for (const p of path) {
    if (!spec || typeof spec !== "object") return undefined;
    const s = spec as Schema;
    const props = s.properties as Schema | undefined;
    spec = props && typeof p === "string" && p in props ? props[p] : s.items;
  }
  return spec && typeof spec === "object" ? spec as Schema : undefined;
}

/** A field's title ("Monthly rent"), never its key (`monthly_rent`) unless it has none. */
export function fieldLabel(schema: Schema, path: (string | number)[], t: T): string {
  if (!path.length) return t("form.theForm");
  const title = specAt(schema, path)?.title;
  if (typeof title === "string" && title) return title;
  const last = String(path[path.length - 1]);
  if (/^\d+$/.test(last) && path.length > 1) return `${fieldLabel(schema, path.slice(0, -1), t)} ${Number(last) + 1}`;
  return last.replace(/_/g, " ");
}

function number(v: unknown, lang: string): string {
  return typeof v === "number" ? new Intl.NumberFormat(normLang(lang)).format(v) : String(v);
}

const CHOICE = new Set(["enum", "const", "oneOf", "anyOf"]);
const FIRST = ["required", "type", "format", "choice"];

/** One plain message per field, in the UI's language. */
export function plainErrors(errors: RJSFValidationError[], schema: Schema, lang: string, t: T
): RJSFValidationError[] {
  const byField = new Map<string, RJSFValidationError[]>();
  for (const e of errors) {
    const key = e.property ?? "";
    byField.set(key, [...(byField.get(key) ?? []), e]);
  }
  const out: RJSFValidationError[] = [];
  for (const [property, list] of byField) {
    const path = property.split(".").filter(Boolean);
    const field = fieldLabel(schema, path, t);
    const choice = list.some((e) => CHOICE.has(e.name ?? ""));
    const e = choice ? { ...list[0], name: "choice" }
      : [...list].sort((a, b) => rank(a) - rank(b))[0];
    const params = (e.params ?? {}) as Record<string, unknown>;
    const limit = number(params.limit, lang);
    let message: string;
    switch (e.name) {
      case "required": message = t("form.required", { field }); break;
      case "type": {
        const kind = String(params.type ?? "");
        message = ["number", "integer", "string"].includes(kind)
          ? t(`form.type_${kind}`, { field }) : t("form.type", { field });
        break;
      }
      case "format": {
        const f = String(params.format ?? "");
        message = ["date", "email"].includes(f) ? t(`form.format_${f}`, { field }) : t("form.format", { field });
        break;
      }
      case "choice": message = t("form.choice", { field }); break;
      case "additionalProperties": message = t("form.noSuchField"); break;
      case "minimum": case "maximum": case "exclusiveMinimum": case "exclusiveMaximum":
      case "minLength": case "maxLength": case "minItems": case "maxItems":
        message = t(`form.${e.name}`, { field, limit }); break;
      case "pattern": message = t("form.pattern", { field }); break;
      default: message = t("form.other", { field });
    }
    out.push({ ...e, message, stack: message });
  }
  return out;
}

function rank(e: RJSFValidationError): number {
  const i = FIRST.indexOf(e.name ?? "");
  return i < 0 ? FIRST.length : i;
}

/** The form's date rules broken on `today` (YYYY-MM-DD), added to rjsf's field errors. */
export function addDateRuleErrors(schema: Schema, data: Record<string, unknown>, today: string,
  errors: FormValidation, t: T): FormValidation {
  for (const v of violations(schema, data ?? {}, today)) {
    const field = fieldLabel(schema, [v.field], t);
    const ahead = v.rule === "earliest" && v.bound.base === "today" && v.bound.days > 0;
    const message = ahead ? t("form.earliestToday", { field, days: v.bound.days, date: v.limit })
      : t(`form.${v.rule}`, { field, date: v.limit });
    const slot = (errors as unknown as Record<string, { addError?: (m: string) => void }>)[v.field];
    slot?.addError?.(message);
  }
  return errors;
}
