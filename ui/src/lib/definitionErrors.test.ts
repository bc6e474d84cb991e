import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { offsetOf, translateDefinitionMessage } from "./definitionErrors";

// The messages the server really gives: the broken corpus the engine's tests pin.
const CORPUS = fileURLToPath(new URL("../../../tests/engine/broken", import.meta.url));
const served = readdirSync(CORPUS).filter((f) => f.endsWith(".expected"))
  .flatMap((f) => readFileSync(join(CORPUS, f), "utf8").split("\n").filter(Boolean))
  .map((line) => line.replace(/^\d+:\d+: /, ""));

const CJK = /[\u4e00-\u9fff]/;

describe("definition errors in Chinese", () => {
  it("translates every kind of error the engine's broken corpus gives", () => {
    expect(served.length).toBeGreaterThan(40);
    // Conditions and timers have many wordings of their own; these stay English for now.
    const left = served.filter((m) => !CJK.test(translateDefinitionMessage(m, "zh-CN")))
      .filter((m) => !/^(condition |a reminder|an escalation|reminder |this reminder|this escalation|'max'|deadline |threshold |mode 'threshold'|'threshold'|notify node '[^']+' loops)/.test(m));
    expect(left).toEqual([]);
  });

  it("keeps names, and the parser's own words after the plain ones", () => {
    const zh = translateDefinitionMessage("unknown target node 'rejectd': no step has that name (did you mean 'rejected'?)", "zh-CN");
    expect(zh).toBe("没有名为 “rejectd” 的步骤（是否想写 “rejected”？）");
    const yaml = translateDefinitionMessage(
      "a tab character: YAML indents with spaces only (YAML: found character '\\t' that cannot start any token)", "zh-CN");
    expect(yaml).toBe("出现了制表符：YAML 只能用空格缩进（YAML 原文：found character '\\t' that cannot start any token）");
  });

  it("leaves English alone, and an unknown message as it is", () => {
    expect(translateDefinitionMessage("unknown role 'x'", "en")).toBe("unknown role 'x'");
    expect(translateDefinitionMessage("something new", "zh-CN")).toBe("something new");
  });

  it("finds the offset of a line and column", () => {
    const text = "a: 1\nbb: 2\n\nc: 3";
    expect(offsetOf(text, 2, 1)).toBe(5);
    expect(offsetOf(text, 2, 4)).toBe(8);
    expect(offsetOf(text, 4, 99)).toBe(text.length);
    expect(offsetOf(text, 99, 1)).toBe(text.lastIndexOf("c"));
  });
});
