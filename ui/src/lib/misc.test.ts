import { describe, expect, it } from "vitest";
import type { TaskOut } from "../api/types";
import { highlightMermaid } from "./diagram";
import { bulkApprovable, pruneSelection, summarizeBulk } from "./inbox";
import { localized, personName } from "./localize";

const task = (id: string, extra: Partial<TaskOut> = {}): TaskOut => ({
  id, instance_id: "i", number: null, definition: "d", definition_title: "D", node: "n", node_title: "N",
  assignee: "a", status: "pending", created_at: "2026-01-01T00:00:00Z", due_at: null,
  overdue: false, due_soon: false, instance_title: "", initiator: "x",
  actions: ["approve", "reject"], return_targets: [], decision: null, decided_at: null,
  reason_required: [], ...extra,
});

describe("inbox", () => {
  it("offers bulk approval only for pending tasks that can be approved", () => {
    const list = [task("1"), task("2", { status: "waiting" }), task("3", { actions: ["reject"] })];
    expect(bulkApprovable(list).map((t) => t.id)).toEqual(["1"]);
  });

  it("drops selected ids that left the list and counts results", () => {
    expect([...pruneSelection(new Set(["1", "9"]), [task("1")])]).toEqual(["1"]);
    const s = summarizeBulk([{ task_id: "1", ok: true, status: 200, detail: null }, { task_id: "2", ok: false, status: 409, detail: "done" }]);
    expect(s.ok).toBe(1);
    expect(s.failed.map((f) => f.task_id)).toEqual(["2"]);
  });
});

describe("names in two languages", () => {
  it("uses the _zh field in Chinese when there is one", () => {
    const u = { username: "li", name: "Li Na", name_zh: "李娜" };
    expect(localized(u, "name", "zh-CN")).toBe("李娜");
    expect(localized(u, "name", "en")).toBe("Li Na");
    expect(localized({ name: "Only" }, "name", "zh-CN")).toBe("Only");
    expect(personName("li", new Map([["li", u]]), "zh-CN")).toBe("李娜");
    expect(personName("ghost", new Map(), "en")).toBe("ghost");
  });
});

describe("highlightMermaid", () => {
  const flow = "flowchart TD\n  a --> b\n";
  it("marks the current node of a flowchart or state diagram", () => {
    const out = highlightMermaid(flow, "b");
    expect(out).toContain("classDef current");
    expect(out.trimEnd().endsWith("class b current")).toBe(true);
    expect(highlightMermaid("stateDiagram-v2\n  [*] --> a", "a")).toContain("class a current");
  });

  it("leaves other text alone", () => {
    expect(highlightMermaid(flow, null)).toBe(flow);
    expect(highlightMermaid(flow, "bad id;")).toBe(flow);
    expect(highlightMermaid("sequenceDiagram\n a->>b: hi", "a")).toBe("sequenceDiagram\n a->>b: hi");
    const marked = `${flow}  classDef current fill:red\n  class x,a current\n`;
    expect(highlightMermaid(marked, "a")).toBe(marked);
    expect(highlightMermaid(`${flow}  a:::current\n`, "a")).toBe(`${flow}  a:::current\n`);
  });

  it("reuses the engine's classDef current and only classes the node", () => {
    const out = highlightMermaid(`${flow}  classDef current fill:red\n`, "b");
    expect(out.match(/classDef current/g)).toHaveLength(1);
    expect(out.trimEnd().endsWith("class b current")).toBe(true);
  });
});
