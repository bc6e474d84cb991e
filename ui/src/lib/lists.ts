// Long lists (inbox, my requests, all requests): their filters live in the page's URL and
// are sent to the server as they are; the server searches, filters, sorts and pages.

export const PAGE_SIZE = 25;

/** The URL parameters a list passes on to its API (everything else stays in the page). */
export const LIST_KEYS = ["q", "status", "definition", "node", "overdue", "from", "to", "sort"] as const;

export const REQUEST_SORTS = ["-started", "started", "-updated", "number", "-number", "title"] as const;
export const TASK_SORTS = ["due", "created", "-created", "started"] as const;

/** The API query of a list: its filters from the URL, plus a page (or none: an export). */
export function listQuery(params: URLSearchParams, extra: Record<string, string> = {},
  page?: { offset: number; limit: number }): string {
  const out = new URLSearchParams(extra);
  for (const key of LIST_KEYS) {
    const value = params.get(key);
    if (value) out.set(key, value);
  }
  if (page) {
    out.set("limit", String(page.limit));
    out.set("offset", String(page.offset));
  }
  return out.toString();
}

/** The page's offset from the URL: a non-negative multiple of the page size. */
export function offsetOf(params: URLSearchParams, size = PAGE_SIZE): number {
  const n = Math.floor(Number(params.get("offset") ?? 0));
  return Number.isFinite(n) && n > 0 ? n - (n % size) : 0;
}

/** The URL with one filter set (or cleared), back on the first page. */
export function withFilter(params: URLSearchParams, key: string, value: string | null): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value) next.set(key, value);
  else next.delete(key);
  if (key === "definition") next.delete("node");
  next.delete("offset");
  return next;
}

export function filtered(params: URLSearchParams): boolean {
  return LIST_KEYS.some((k) => k !== "sort" && params.get(k));
}
