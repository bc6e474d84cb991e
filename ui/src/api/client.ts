// A small fetch wrapper: bearer token, JSON in and out, RFC 9457 problems turned into ApiError.
import { type Problem, toProblem } from "../lib/problems";

const TOKEN_KEY = "signoff.token";

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
/** Called when the API answers 401: the session expired or the token is gone. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

function newKey(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  signal?: AbortSignal;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? (opts.body !== undefined || opts.rawBody !== undefined ? "POST" : "GET");
  const headers: Record<string, string> = {
    Accept: "application/json, application/problem+json",
    // Titles of processes and steps come in the UI's language where the definition has one.
    "Accept-Language": localStorage.getItem("signoff.lang") ?? navigator.language ?? "en",
  };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) {
    body = opts.rawBody;
    headers["Content-Type"] = opts.contentType ?? "text/plain";
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["Content-Type"] = "application/json";
  }
  // A retried click must not act twice: the API honours Idempotency-Key on every change.
  if (method !== "GET") headers["Idempotency-Key"] = newKey();
  let response: Response;
  try {
    response = await fetch(`/api${path}`, { method, headers, body, signal: opts.signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError({ type: "network", title: "NetworkError", status: 0,
      detail: err instanceof Error ? err.message : String(err) });
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!response.ok) {
    const problem = toProblem(parsed, response.status, response.statusText, path);
    if (response.status === 401 && !path.startsWith("/auth/login")) {
      unauthorizedListeners.forEach((fn) => fn());
    }
    throw new ApiError(problem);
  }
  return parsed as T;
}
