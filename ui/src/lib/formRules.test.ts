import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import en from "../i18n/en";
import zh from "../i18n/zh-CN";
import { formatAmount, formatValue, parseNumberInput } from "./format";
import { addDateRuleErrors, fieldLabel, localizeSchema, plainErrors } from "./formErrors";
import { violations } from "./formRules";

// The same cases tests/engine/test_form_rules.py feeds engine/core/form_rules.py.
const FIXTURE = fileURLToPath(new URL("../../../tests/fixtures/date_rules.json", import.meta.url));
const shared = JSON.parse(readFileSync(FIXTURE, "utf-8")) as {
  schema: Record<string, unknown>;
  cases: { today: string; data: Record<string, unknown>; expected: [string, string, string][] }[];
};

describe("date rules", () => {
  it.each(shared.cases.map((c) => [JSON.stringify(c.data), c] as const))("%s", (_, c) => {
    const got = violations(shared.schema, c.data, c.today).map((v) => [v.field, v.rule, v.limit]);
    expect(got).toEqual(c.expected);
  });
});

// A tiny t() over the real message files, enough to check the words.
function tr(messages: Record<string, Record<string, string>>) {
  return (key: string, o: Record<string, unknown> = {}) => {
    const [ns, k] = key.split(".");
    const text = messages[ns]?.[k] ?? key;
    return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(o[name]));
  };
}
const tEn = tr(en as unknown as Record<string, Record<string, string>>);
const tZh = tr(zh as unknown as Record<string, Record<string, string>>);

const STORE = {
  type: "object",
  properties: {
    monthly_rent: { type: "number", title: "Monthly rent", title_zh: "月租金", minimum: 0, currency: "CNY" },
    store_name: { type: "string", title: "Store name", title_zh: "门店名称" },
    store_format: { type: "string", oneOf: [{ const: "popup", title: "Pop-up", title_zh: "快闪店" }] },
    opening_date: { type: "string", format: "date", title: "Planned opening", title_zh: "计划开业日期", earliest: "today+30d" },
  },
};

describe("form errors in plain words", () => {
  const raw = [
    { name: "required", property: ".store_name", message: "must have required property 'Store name'", params: { missingProperty: "store_name" }, stack: "" },
    { name: "minimum", property: ".monthly_rent", message: "must be >= 0", params: { comparison: ">=", limit: 0 }, stack: "" },
    { name: "const", property: ".store_format", message: "must be equal to constant", params: {}, stack: "" },
    { name: "oneOf", property: ".store_format", message: "must match exactly one schema in oneOf", params: {}, stack: "" },
  ];

  it("names the field by its title, one message per field, in English", () => {
    const out = plainErrors(raw, STORE, "en", tEn);
    expect(out.map((e) => [e.property, e.message])).toEqual([
      [".store_name", "Store name is required."],
      [".monthly_rent", "Monthly rent must be at least 0."],
      [".store_format", "Choose one of the options for store format."],
    ]);
  });

  it("and in Chinese, with the Chinese titles", () => {
    const out = plainErrors(raw, localizeSchema(STORE, "zh-CN"), "zh-CN", tZh);
    expect(out.map((e) => e.message)).toEqual(["请填写门店名称。", "月租金不能小于 0。", "请为store format选择一个选项。"]);
  });

  it("says a number that is not one is not a number", () => {
    const out = plainErrors([{ name: "type", property: ".monthly_rent", message: "must be number", params: { type: "number" }, stack: "" }], STORE, "en", tEn);
    expect(out[0].message).toBe("Monthly rent must be a number, such as 15821.25.");
  });

  it("adds the date rules as the field's error", () => {
    const found: string[] = [];
    const errors = { opening_date: { addError: (m: string) => found.push(m) } };
    addDateRuleErrors(STORE, { opening_date: "2026-12-10" }, "2026-12-01", errors as never, tEn);
    expect(found).toEqual(["Planned opening must be at least 30 days from the day of filing: 2026-12-31 or later."]);
  });

  it("labels fields by title, lists by entry", () => {
    expect(fieldLabel(STORE, ["monthly_rent"], tEn)).toBe("Monthly rent");
    expect(fieldLabel(STORE, [], tEn)).toBe("The form");
  });
});

describe("numbers", () => {
  it.each([
    ["12e", "12e"], ["", undefined], ["  ", undefined], ["15821.25", 15821.25], ["15,821.25", 15821.25],
    ["1.5e3", 1500], ["-3", -3], ["1,2", "1,2"], ["12 000", "12 000"], ["Infinity", "Infinity"], ["0x10", "0x10"],
  ])("%j typed is kept as %j", (text, value) => {
    expect(parseNumberInput(text)).toBe(value);
  });

  it("formats amounts with separators and the declared currency", () => {
    expect(formatAmount(15821.25, "CNY", "en")).toBe("¥15,821.25");
    expect(formatAmount(15821.25, null, "en")).toBe("15,821.25");
    expect(formatAmount(15821.25, "CNY", "zh-CN")).toBe("¥15,821.25");
    expect(formatAmount(3, "no such", "en")).toBe("3 no such"); // not a currency code
  });

  it("shows a value by its field: choice titles, people by name", () => {
    const spec = STORE.properties.store_format as Record<string, unknown>;
    expect(formatValue(spec, "popup", "en", (u) => u, "-")).toBe("Pop-up");
    expect(formatValue(undefined, "song.qian", "en", () => "Song Qian", "-")).toBe("Song Qian");
    expect(formatValue(undefined, null, "en", (u) => u, "(empty)")).toBe("(empty)");
  });
});
