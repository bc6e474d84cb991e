// The signed-in person's live updates over Server-Sent Events (GET /api/events: their
// notifications and inbox; lib/live.ts is a page's own stream, such as the board's).
// An EventSource cannot send the bearer token, so each (re)connection first asks for a
// one-minute stream ticket (POST /api/events/ticket) and puts that in the URL. One connection serves the whole
// page: opened by the first subscriber, closed after the last one leaves.
import { useEffect, useRef } from "react";
import { api, ApiError } from "../api/client";
import type { EventsTicketOut } from "../api/types";

export type LiveEvent = { kind: "notification"; unread: number } | { kind: "inbox" };
export type LiveListener = (event: LiveEvent) => void;

/** The part of EventSource the hub uses (a fake in unit tests). */
export interface SourceLike {
  addEventListener(type: string, fn: (e: MessageEvent<string>) => void): void;
  onerror: ((e: Event) => void) | null;
  onopen: ((e: Event) => void) | null;
  close(): void;
}

export interface LiveDeps {
  open: (url: string) => SourceLike;
  ticket: () => Promise<string>;
  later: (fn: () => void, ms: number) => unknown;
}

/** Milliseconds before reconnection attempt `n` (0-based): 1 s doubling, at most 30 s. */
export function backoff(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
}

export function parseUnread(data: string): number | null {
  try {
    const n = (JSON.parse(data) as { unread?: unknown }).unread;
    return typeof n === "number" && n >= 0 ? n : null;
  } catch {
    return null;
  }
}

export function createLive(deps: LiveDeps) {
  const listeners = new Set<LiveListener>();
  let source: SourceLike | null = null;
  let attempt = 0;
  let generation = 0; // bumps on close: a late ticket or timer of an old connection is dropped
  let everOpened = false;

  const emit = (e: LiveEvent) => listeners.forEach((fn) => fn(e));

  function retry(gen: number) {
    deps.later(() => {
      if (gen === generation && listeners.size > 0) void connect();
    }, backoff(attempt++));
  }

  async function connect() {
    const gen = generation;
    let ticket: string;
    try {
      ticket = await deps.ticket();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return; // signed out: the app handles it
      retry(gen);
      return;
    }
    if (gen !== generation || listeners.size === 0) return;
    const src = deps.open(`/api/events?ticket=${encodeURIComponent(ticket)}`);
    source = src;
    src.onopen = () => {
      attempt = 0;
      if (everOpened) emit({ kind: "inbox" }); // missed while away: reload what shows tasks
      everOpened = true;
    };
    src.addEventListener("notification", (ev) => {
      const unread = parseUnread(ev.data);
      if (unread !== null) emit({ kind: "notification", unread });
    });
    src.addEventListener("inbox", () => emit({ kind: "inbox" }));
    src.onerror = () => {
      // The browser would retry with the same URL, whose ticket expires: reconnect anew.
      src.close();
      if (source === src) source = null;
      if (gen === generation) retry(gen);
    };
  }

  function close() {
    generation++;
    source?.close();
    source = null;
    attempt = 0;
    everOpened = false;
  }

  return {
    subscribe(fn: LiveListener): () => void {
      listeners.add(fn);
      if (listeners.size === 1) void connect();
      return () => {
        listeners.delete(fn);
        if (listeners.size === 0) close();
      };
    },
    get connected() {
      return source !== null;
    },
  };
}

export const userEvents = createLive({
  open: (url) => new EventSource(url),
  ticket: () => api<EventsTicketOut>("/events/ticket", { body: {} }).then((t) => t.ticket),
  later: (fn, ms) => setTimeout(fn, ms),
});

/** Call `fn` on each live event while the component is mounted. */
export function useUserEvents(fn: LiveListener): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => userEvents.subscribe((e) => latest.current(e)), []);
}

/** Reload (a useApi reload) when the caller's tasks or notifications change. */
export function useLiveReload(reload: () => void, kinds: LiveEvent["kind"][] = ["inbox", "notification"]): void {
  const key = kinds.join(",");
  useUserEvents((e) => {
    if (key.split(",").includes(e.kind)) reload();
  });
}
