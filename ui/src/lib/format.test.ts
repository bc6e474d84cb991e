import { describe, expect, it } from "vitest";
import { formatDuration, formatHours, formatPercent, normLang, secondsSince } from "./format";

describe("formatDuration", () => {
  it.each([
    [0, "0s"], [42, "42s"], [60, "1m"], [61, "1m 1s"], [3599, "59m 59s"], [3600, "1h"],
    [3660, "1h 1m"], [7322, "2h 2m"], [86400, "1d"], [90061, "1d 1h"], [3 * 86400 + 120, "3d"],
    [-90, "-1m 30s"], [0.4, "0s"],
  ])("%s seconds in English is %s", (s, text) => {
    expect(formatDuration(s, "en")).toBe(text);
  });

  it("speaks Chinese without spaces", () => {
    expect(formatDuration(90061, "zh-CN")).toBe("1天1小时");
    expect(formatDuration(125, "zh")).toBe("2分钟5秒");
  });

  it("shows a dash for a missing value", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(undefined)).toBe("—");
    expect(formatDuration(Number.NaN)).toBe("—");
  });
});

describe("numbers and dates", () => {
  it("formats hours and percentages", () => {
    expect(formatHours(0.25)).toBe("0.3");
    expect(formatHours(1234.5)).toBe("1,235");
    expect(formatPercent(0.1234)).toBe("12.3%");
    expect(formatPercent(undefined)).toBe("—");
  });

  it("measures time since an ISO timestamp", () => {
    expect(secondsSince("2026-01-01T00:00:00Z", new Date("2026-01-01T01:00:00Z"))).toBe(3600);
    expect(secondsSince("not a date")).toBeNull();
  });

  it("normalises language codes", () => {
    expect(normLang("zh")).toBe("zh-CN");
    expect(normLang("zh-TW")).toBe("zh-CN");
    expect(normLang("en-US")).toBe("en");
    expect(normLang(undefined)).toBe("en");
  });
});
