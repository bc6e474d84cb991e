// RFC 9457 problem documents: normalising what the API sends, and mapping field errors
// (JSON pointers into the submitted data) to react-jsonschema-form's ErrorSchema.
import type { ErrorSchema } from "@rjsf/utils";

export interface FieldError {
  pointer?: string;
  line?: number | null;
  column?: number | null;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A FastAPI/pydantic `loc` such as ["body", "data", "rent"] as a pointer: "/data/rent". */
function locToPointer(loc: unknown[]): string {
  const parts = loc[0] === "body" ? loc.slice(1) : loc;
  return parts.map((p) => `/${String(p)}`).join("");
}

function toFieldError(raw: unknown): FieldError | null {
  if (!isRecord(raw)) return typeof raw === "string" ? { message: raw } : null;
  const message = String(raw.message ?? raw.msg ?? raw.detail ?? "");
  const err: FieldError = { message };
  if (typeof raw.pointer === "string") err.pointer = raw.pointer;
  else if (Array.isArray(raw.loc)) err.pointer = locToPointer(raw.loc);
  if (typeof raw.line === "number") err.line = raw.line;
  if (typeof raw.column === "number") err.column = raw.column;
  return err;
}

/** Whatever an error response carried (problem JSON, FastAPI `{detail}`, text) as a Problem. */
export function toProblem(body: unknown, status: number, statusText: string, instance?: string): Problem {
  const fallbackTitle = statusText || `HTTP ${status}`;
  if (!isRecord(body)) {
    const text = typeof body === "string" ? body.trim() : "";
    // An HTML error page from a proxy is no use to a person: keep only short plain text.
    const detail = text && !text.startsWith("<") && text.length < 300 ? text : undefined;
    return { type: "about:blank", title: fallbackTitle, status, detail, instance };
  }
  const rawErrors = Array.isArray(body.errors) ? body.errors
    : Array.isArray(body.detail) ? body.detail : [];
  const errors = rawErrors.map(toFieldError).filter((e): e is FieldError => e !== null);
  const detail = typeof body.detail === "string" ? body.detail : undefined;
  return {
    type: typeof body.type === "string" ? body.type : "about:blank",
    title: typeof body.title === "string" ? body.title : fallbackTitle,
    status: typeof body.status === "number" ? body.status : status,
    detail,
    instance: typeof body.instance === "string" ? body.instance : instance,
    errors: errors.length ? errors : undefined,
  };
}

/** RFC 6901: "/a~1b/0" -> ["a/b", "0"]. */
export function parsePointer(pointer: string): string[] {
  const p = pointer.startsWith("#") ? pointer.slice(1) : pointer;
  if (p === "" || p === "/") return [];
  return p.replace(/^\//, "").split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

const REQUIRED = /^'([^']+)' is a required property$/;

/**
 * Field errors as an rjsf ErrorSchema, for Form's `extraErrors`. `prefix` strips the part
 * of the pointer that addresses the request body rather than the form (e.g. "/data").
 * A jsonschema "'x' is a required property" reported at the parent moves onto field x.
 */
export function errorsToErrorSchema(errors: FieldError[], prefix = "/data"): ErrorSchema {
  const root: Record<string, unknown> = {};
  for (const err of errors) {
    if (err.pointer === undefined) continue;
    let path = parsePointer(err.pointer);
    const pre = parsePointer(prefix);
    if (pre.length && pre.every((p, i) => path[i] === p)) path = path.slice(pre.length);
    const required = REQUIRED.exec(err.message);
    if (required && path[path.length - 1] !== required[1]) path = [...path, required[1]];
    let node = root;
    for (const key of path) {
      if (!isRecord(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const list = (node.__errors as string[] | undefined) ?? [];
    node.__errors = [...list, err.message];
  }
  return root as ErrorSchema;
}

/** Errors that have no field: shown above the form. */
export function generalErrors(problem: Problem): string[] {
  const errs = problem.errors ?? [];
  return errs.filter((e) => e.pointer === undefined && e.line == null).map((e) => e.message);
}

/** YAML errors grouped by line (0 for errors without a line), sorted by line. */
export function errorsByLine(errors: FieldError[]): Array<[number, FieldError[]]> {
  const byLine = new Map<number, FieldError[]>();
  for (const e of errors) {
    const line = e.line ?? 0;
    byLine.set(line, [...(byLine.get(line) ?? []), e]);
  }
  return [...byLine.entries()].sort((a, b) => a[0] - b[0]);
}

/** The i18n key of the sentence that explains a status to a person. */
export function problemMessageKey(status: number): string {
  if (status === 0) return "errors.network";
  if (status === 401) return "errors.notSignedIn";
  if (status === 403) return "errors.notPermitted";
  if (status === 404) return "errors.notFound";
  if (status === 409 || status === 412) return "errors.conflict";
  if (status === 400 || status === 422) return "errors.invalid";
  if (status >= 500) return "errors.server";
  return "errors.title";
}
