import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import en from "./en";
import zh from "./zh-CN";

type Tree = { [k: string]: string | Tree };

function leaves(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

const SRC = fileURLToPath(new URL("..", import.meta.url));
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(name) && !name.endsWith(".test.ts") ? [p] : [];
  });
}

describe("translations", () => {
  const enKeys = leaves(en as unknown as Tree);
  const zhKeys = leaves(zh as unknown as Tree);

  it("has the same keys in English and Chinese", () => {
    expect([...zhKeys.keys()].sort()).toEqual([...enKeys.keys()].sort());
  });

  it("has no empty string and the same placeholders in both languages", () => {
    for (const [key, text] of enKeys) {
      const other = zhKeys.get(key) ?? "";
      expect(text.trim(), key).not.toBe("");
      expect(other.trim(), key).not.toBe("");
      expect(placeholders(other), key).toEqual(placeholders(text));
    }
  });

  it("really translates: Chinese strings are not copies of the English ones", () => {
    const same = [...enKeys].filter(([k, v]) => zhKeys.get(k) === v && /[a-z]{3}/.test(v));
    expect(same.map(([k]) => k)).toEqual([]);
  });

  it("defines every literal key the code asks for", () => {
    const used = new Set<string>();
    for (const file of sources(SRC)) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/\bt\(\s*"([a-zA-Z]+\.[a-zA-Z_.]+)"/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((k) => !enKeys.has(k));
    expect(missing).toEqual([]);
  });
});

describe("switching language", () => {
  it("serves the Chinese texts after changeLanguage('zh-CN') and back", async () => {
    const { createInstance } = await import("i18next");
    const { i18nOptions, pickLanguage } = await import("./options");
    const inst = createInstance();
    await inst.init({ ...i18nOptions, lng: "en" });
    expect(inst.t("nav.inbox")).toBe("Inbox");
    await inst.changeLanguage("zh-CN");
    expect(inst.resolvedLanguage).toBe("zh-CN");
    expect(inst.t("nav.inbox")).toBe("待办");
    expect(inst.t("inbox.total", { count: 3 })).toBe("3 项待办");
    await inst.changeLanguage("en");
    expect(inst.t("nav.inbox")).toBe("Inbox");
    expect([pickLanguage("zh"), pickLanguage("zh-TW"), pickLanguage("en-GB"), pickLanguage("fr")])
      .toEqual(["zh-CN", "zh-CN", "en", "en"]);
  });
});
