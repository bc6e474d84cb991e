import { useTranslation } from "react-i18next";
import type { ApiError } from "../api/client";
import { problemMessageKey } from "../lib/problems";

/** An API error as a person should see it: a plain sentence, the server's detail, a retry. */
export function ProblemView({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { t } = useTranslation();
  const p = error.problem;
  const headline = t(problemMessageKey(p.status));
  const lines = (p.errors ?? []).map((e) =>
    [e.line != null ? t("processes.line", { line: e.line }) : e.pointer, e.message]
      .filter(Boolean).join(": "));
  return (
    <div className="problem" role="alert">
      <strong>{headline}</strong>
      {p.detail && p.detail !== headline && <p className="problem-detail">{p.detail}</p>}
      {!p.detail && p.title && p.status !== 0 && <p className="problem-detail">{p.title}</p>}
      {lines.length > 0 && (
        <ul className="problem-errors">{lines.map((l, i) => <li key={i}>{l}</li>)}</ul>
      )}
      {onRetry && retryable(p.status) && <button type="button" className="btn" onClick={onRetry}>{t("common.retry")}</button>}
    </div>
  );
}

/** Trying again helps after a network failure, a server error or a conflict; not after 4xx. */
function retryable(status: number): boolean {
  return status === 0 || status === 409 || status === 429 || status >= 500;
}

export function Spinner({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="spinner-wrap" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t("common.loading")}</span>
    </div>
  );
}
