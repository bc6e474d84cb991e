import { describe, expect, it } from "vitest";
import { filtered, listQuery, offsetOf, withFilter } from "./lists";

describe("list URLs", () => {
  it("passes the filters on, with a page or without (export)", () => {
    const p = new URLSearchParams("q=nanjing&status=open&offset=25&tab=x");
    expect(listQuery(p, { scope: "all" }, { offset: 25, limit: 25 }))
      .toBe("scope=all&q=nanjing&status=open&limit=25&offset=25");
    expect(listQuery(p)).toBe("q=nanjing&status=open");
  });
  it("goes back to the first page when a filter changes, and a new process clears the step", () => {
    const p = new URLSearchParams("definition=a&node=n&offset=50");
    expect(withFilter(p, "definition", "b").toString()).toBe("definition=b");
    expect(withFilter(p, "q", "x").toString()).toBe("definition=a&node=n&q=x");
    expect(withFilter(p, "node", null).toString()).toBe("definition=a");
  });
  it("reads a page offset only as a multiple of the page size", () => {
    expect(offsetOf(new URLSearchParams("offset=60"))).toBe(50);
    expect(offsetOf(new URLSearchParams("offset=-3"))).toBe(0);
    expect(offsetOf(new URLSearchParams("offset=abc"))).toBe(0);
  });
  it("knows whether anything narrows the list (sort does not)", () => {
    expect(filtered(new URLSearchParams("sort=title"))).toBe(false);
    expect(filtered(new URLSearchParams("overdue=true"))).toBe(true);
  });
});
