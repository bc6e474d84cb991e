// Inbox logic kept out of the component so it can be unit-tested.
import type { BulkResultOut, TaskOut } from "../api/types";

/** Tasks that may be approved in bulk: pending ones that offer "approve". */
export function bulkApprovable(tasks: TaskOut[]): TaskOut[] {
  return tasks.filter((t) => t.status === "pending" && t.actions.includes("approve"));
}

/** The selection minus ids no longer in the list (after a reload). */
export function pruneSelection(selected: ReadonlySet<string>, tasks: TaskOut[]): Set<string> {
  const ids = new Set(tasks.map((t) => t.id));
  return new Set([...selected].filter((id) => ids.has(id)));
}

export function summarizeBulk(results: BulkResultOut[]): { ok: number; failed: BulkResultOut[] } {
  return { ok: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok) };
}
