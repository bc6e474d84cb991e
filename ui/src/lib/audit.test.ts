import { createInstance } from "i18next";
import { describe, expect, it } from "vitest";
import type { AuditEntryOut } from "../api/types";
import { i18nOptions } from "../i18n/options";
import { actionWords, actorWords, AUDIT_ACTIONS, detailWords, subjectWords } from "./audit";

const entry = (action: string, subject: string, detail: Record<string, unknown> = {},
  actor: string | null = "wang.fang"): AuditEntryOut => ({
  id: 1, at: "2026-03-02T01:00:00Z", actor, action, subject, detail, request_id: null,
});
const people = new Map([["wang.fang", { username: "wang.fang", name: "Wang Fang", name_zh: "王芳" }],
  ["li.na", { username: "li.na", name: "Li Na", name_zh: "李娜" }]]);

describe("the audit log in words", () => {
  it("names every action in both languages, never by its code", async () => {
    for (const lng of ["en", "zh-CN"]) {
      const inst = createInstance();
      await inst.init({ ...i18nOptions, lng });
      for (const code of AUDIT_ACTIONS) {
        const words = actionWords(inst.t, code);
        expect(words, `${lng} ${code}`).not.toBe(code);
        expect(words).not.toMatch(/[._]/);
      }
    }
  });

  it("shows people by name, subjects and details in words", async () => {
    const inst = createInstance();
    await inst.init({ ...i18nOptions, lng: "zh-CN" });
    const t = inst.t;
    expect(actorWords(t, "wang.fang", people, "zh-CN")).toBe("王芳");
    expect(actorWords(t, null, people, "zh-CN")).toBe("未登录");
    expect(actorWords(t, "cli:root", people, "zh-CN")).toBe("命令行（root）");
    const failed = entry("sign_in.failed", "li.na", { reason: "wrong_password", client: "10.0.0.1" }, null);
    expect(subjectWords(t, failed, people, new Map(), "zh-CN")).toBe("李娜");
    expect(detailWords(t, failed, people, "zh-CN")).toEqual(["原因: 密码错误", "来源: 10.0.0.1"]);
    const published = entry("definition.published", "store_opening v3", { key: "store_opening", version: 3 });
    expect(subjectWords(t, published, people, new Map([["store_opening", "新店开业"]]), "zh-CN"))
      .toBe("新店开业，第 3 版");
    expect(detailWords(t, published, people, "zh-CN")).toEqual([]);
    const synced = entry("org.synced", "org.yaml", { new: ["li.na"], left: [] });
    expect(detailWords(t, synced, people, "zh-CN")).toEqual(["新增人员: 李娜"]);
  });
});
