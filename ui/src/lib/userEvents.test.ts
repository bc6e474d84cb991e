import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { backoff, createLive, parseUnread, type LiveEvent, type SourceLike } from "./userEvents";

class FakeSource implements SourceLike {
  handlers = new Map<string, (e: MessageEvent<string>) => void>();
  onerror: ((e: Event) => void) | null = null;
  onopen: ((e: Event) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(type: string, fn: (e: MessageEvent<string>) => void) {
    this.handlers.set(type, fn);
  }
  close() {
    this.closed = true;
  }
  send(type: string, data: string) {
    this.handlers.get(type)?.({ data } as MessageEvent<string>);
  }
}

function harness(tickets: Array<string | Error> = ["t1", "t2", "t3", "t4"]) {
  const sources: FakeSource[] = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const hub = createLive({
    open: (url) => {
      const s = new FakeSource(url);
      sources.push(s);
      return s;
    },
    ticket: () => {
      const next = tickets.shift() ?? "again";
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    later: (fn, ms) => timers.push({ fn, ms }),
  });
  return { hub, sources, timers };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("live events", () => {
  it("opens one stream with a fresh ticket and passes its events on", async () => {
    const { hub, sources } = harness();
    const a: LiveEvent[] = [];
    const b: LiveEvent[] = [];
    const offA = hub.subscribe((e) => a.push(e));
    const offB = hub.subscribe((e) => b.push(e));
    await flush();
    expect(sources.map((s) => s.url)).toEqual(["/api/events?ticket=t1"]);
    sources[0].send("notification", '{"unread": 3}');
    sources[0].send("inbox", "{}");
    sources[0].send("notification", "not json");
    expect(a).toEqual([{ kind: "notification", unread: 3 }, { kind: "inbox" }]);
    expect(b).toEqual(a);
    offA();
    expect(sources[0].closed).toBe(false);
    offB();
    expect(sources[0].closed).toBe(true);
  });

  it("reconnects after an error with a new ticket, backing off, and reloads what was missed", async () => {
    const { hub, sources, timers } = harness();
    const seen: LiveEvent[] = [];
    hub.subscribe((e) => seen.push(e));
    await flush();
    sources[0].onopen?.(new Event("open"));
    sources[0].onerror?.(new Event("error"));
    expect(sources[0].closed).toBe(true);
    expect(timers.map((t) => t.ms)).toEqual([1000]);
    timers[0].fn();
    await flush();
    expect(sources[1].url).toBe("/api/events?ticket=t2");
    sources[1].onopen?.(new Event("open"));
    expect(seen).toEqual([{ kind: "inbox" }]); // tasks may have changed meanwhile
  });

  it("retries when the ticket cannot be had, and stops when signed out", async () => {
    const offline = new ApiError({ type: "network", title: "NetworkError", status: 0 });
    const signedOut = new ApiError({ type: "about:blank", title: "Unauthorized", status: 401 });
    const { hub, sources, timers } = harness([offline, signedOut]);
    hub.subscribe(() => undefined);
    await flush();
    expect(timers.length).toBe(1);
    timers[0].fn();
    await flush();
    expect(timers.length).toBe(1);
    expect(sources).toEqual([]);
  });

  it("drops a ticket that arrives after everyone left", async () => {
    const { hub, sources } = harness();
    const off = hub.subscribe(() => undefined);
    off();
    await flush();
    expect(sources).toEqual([]);
  });

  it("backs off 1 s doubling up to 30 s and reads the unread count", () => {
    expect([0, 1, 2, 5, 10].map(backoff)).toEqual([1000, 2000, 4000, 30000, 30000]);
    expect([parseUnread('{"unread": 0}'), parseUnread('{"unread": -1}'), parseUnread("x")]).toEqual([0, null, null]);
  });
});
