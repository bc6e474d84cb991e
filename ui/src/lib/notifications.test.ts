import { describe, expect, it } from "vitest";
import type { NotificationOut, PreferencesOut } from "../api/types";
import { badge, describe as sentence, formError, target, toBody, toForm } from "./notifications";

const people = new Map([["zhao.lei", { username: "zhao.lei", name: "Zhao Lei", name_zh: "赵磊" }],
  ["xu.ming", { username: "xu.ming", name: "Xu Ming", name_zh: "徐明" }]]);

function note(kind: string, payload: Record<string, unknown>): NotificationOut {
  return { id: "n1", kind, instance_id: "i-1", created_at: "2026-03-02T01:00:00Z", read_at: null, payload };
}

describe("notifications", () => {
  it("describes a notification with people's names in the UI language", () => {
    const n = note("returned", { request_title: "Open store 12", actor: "zhao.lei", step: "Check", step_zh: "审核" });
    expect(sentence(n, people, "en")).toEqual({ key: "bell.kind_returned",
      values: { title: "Open store 12", step: "Check", actor: "Zhao Lei", holders: "" } });
    const w = note("now_with", { request_title: "T", holders: ["zhao.lei", "xu.ming", 3] });
    expect(sentence(w, people, "zh-CN").values.holders).toBe("赵磊, 徐明");
    expect(sentence(note("mystery", {}), people, "en").key).toBe("bell.kind_other");
    const titled = note("approved", { request_title: "New store: Alpha", request_title_zh: "新店：Alpha" });
    expect(sentence(titled, people, "zh-CN").values.title).toBe("新店：Alpha");
    expect(sentence(titled, people, "en").values.title).toBe("New store: Alpha");
  });

  it("leads to the task, else the request, and never off the app", () => {
    expect(target(note("task_assigned", { path: "/tasks/abc-1" }))).toBe("/tasks/abc-1");
    expect(target(note("approved", { path: "/requests/i-1" }))).toBe("/requests/i-1");
    expect(target(note("approved", { path: "//evil.example/x" }))).toBe("/requests/i-1");
    expect(target({ ...note("copied", {}), instance_id: null })).toBe("/inbox");
  });

  it("shows a badge only when something is unread", () => {
    expect([badge(0), badge(7), badge(100)]).toEqual(["", "7", "99+"]);
  });

  it("edits preferences: the bell always on, quiet hours cleared when off", () => {
    const p: PreferencesOut = { username: "li.na", channels: ["email"], language: null, quiet_start: null,
      quiet_end: null, timezone: "Asia/Shanghai", digest: false };
    const f = toForm(p, "zh-CN");
    expect(f).toMatchObject({ channels: ["app", "email"], language: "zh", quiet: false });
    expect(toBody(f)).toEqual({ channels: ["app", "email"], language: "zh", quiet_start: "",
      quiet_end: "", timezone: "Asia/Shanghai", digest: false });
    const quiet = { ...f, quiet: true, quietStart: "22:00", quietEnd: "08:00", digest: true };
    expect(formError(quiet)).toBeNull();
    expect(toBody(quiet)).toMatchObject({ quiet_start: "22:00", quiet_end: "08:00", digest: true });
    expect(formError({ ...quiet, quietEnd: "22:00" })).toBe("settings.sameTimes");
    expect(formError({ ...quiet, quietEnd: "8:00" })).toBe("settings.badTime");
    expect(formError({ ...f, timezone: " " })).toBe("settings.noTimezone");
  });
});
