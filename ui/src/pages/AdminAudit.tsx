// Administrators: the audit log (who published, reset a password, issued or revoked a
// token, failed to sign in, retried the outbox), filtered by person and action, paged on
// the server, exported as CSV with the same filters. People show by name and actions in
// words; an action's code stays its filter value, the row's data-action and a tooltip.
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router-dom";
import type { AuditPageOut, DefinitionSummaryOut } from "../api/types";
import { useAuth } from "../auth";
import { ProblemView, Spinner } from "../components/ProblemView";
import { actionWords, actorWords, AUDIT_ACTIONS, detailWords, subjectWords } from "../lib/audit";
import { downloadFile } from "../lib/download";
import { formatDateTime } from "../lib/format";
import { localized, personName } from "../lib/localize";
import { useApi } from "../lib/useApi";

const PAGE = 50;

export default function AdminAudit() {
  const { t, i18n } = useTranslation();
  const { user, people } = useAuth();
  const lang = i18n.language;
  const [params, setParams] = useSearchParams();
  const actor = params.get("actor") ?? "";
  const action = params.get("action") ?? "";
  const offset = Math.max(0, Number(params.get("offset") ?? 0) || 0);
  const [draft, setDraft] = useState({ actor, action });
  const filters = new URLSearchParams();
  if (actor) filters.set("actor", actor);
  if (action) filters.set("action", action);
  const page = useApi<AuditPageOut>(
    user?.is_admin ? `/admin/audit?${filters}&limit=${PAGE}&offset=${offset}` : null);
  const defs = useApi<DefinitionSummaryOut[]>(user?.is_admin ? "/definitions" : null);
  const titles = useMemo(() => new Map((defs.data ?? []).map((d) => [d.key, localized(d, "title", lang) || d.key])),
    [defs.data, lang]);
  const everyone = useMemo(() => [...people.keys()]
    .map((u) => ({ u, name: personName(u, people, lang) }))
    .sort((a, b) => a.name.localeCompare(b.name, lang)), [people, lang]);

  if (!user?.is_admin) return <div className="problem" role="alert"><strong>{t("errors.notPermitted")}</strong></div>;

  const go = (next: Record<string, string | number>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ actor, action, offset, ...next })) if (v) p.set(k, String(v));
    setParams(p, { replace: true });
  };
  const total = page.data?.total ?? 0;

  return (
    <div className="page">
      <div className="page-head"><h1>{t("audit.title")}</h1></div>
      <form className="card row gap wrap" onSubmit={(e) => { e.preventDefault(); go({ ...draft, offset: 0 }); }}>
        <label className="stack">{t("audit.actor")}
          <select name="actor" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })}>
            <option value="">{t("audit.anyone")}</option>
            {draft.actor && !people.has(draft.actor) && <option value={draft.actor}>{draft.actor}</option>}
            {everyone.map(({ u, name }) => <option key={u} value={u}>{name}</option>)}
          </select>
        </label>
        <label className="stack">{t("audit.action")}
          <select name="action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="">{t("audit.anyAction")}</option>
            {draft.action && !(AUDIT_ACTIONS as readonly string[]).includes(draft.action) &&
              <option value={draft.action}>{draft.action}</option>}
            {AUDIT_ACTIONS.map((a) => <option key={a} value={a} title={a}>{actionWords(t, a)}</option>)}
          </select>
        </label>
        <button type="submit" className="btn btn-primary">{t("audit.filter")}</button>
        <button type="button" className="btn btn-link" onClick={() => void downloadFile(`/admin/audit?${filters}&format=csv`, "audit.csv")}>
          {t("audit.csv")}
        </button>
      </form>
      {page.loading && !page.data && <Spinner />}
      {page.error && <ProblemView error={page.error} onRetry={page.reload} />}
      {page.data && page.data.items.length === 0 && <p className="empty">{t("audit.empty")}</p>}
      {page.data && page.data.items.length > 0 && (
        <div className="table-scroll">
          <table className="table table-cards" data-testid="audit-table">
            <thead><tr>
              <th>{t("audit.at")}</th><th>{t("audit.actor")}</th><th>{t("audit.action")}</th>
              <th>{t("audit.subject")}</th><th>{t("audit.detail")}</th>
            </tr></thead>
            <tbody>
              {page.data.items.map((r) => (
                <tr key={r.id} data-action={r.action}>
                  <td data-label={t("audit.at")}>{formatDateTime(r.at, lang)}</td>
                  <td data-label={t("audit.actor")} title={r.actor ?? undefined}>{actorWords(t, r.actor, people, lang)}</td>
                  <td data-label={t("audit.action")} title={r.action}>{actionWords(t, r.action)}</td>
                  <td data-label={t("audit.subject")} title={r.subject}>{subjectWords(t, r, people, titles, lang)}</td>
                  <td data-label={t("audit.detail")} className="small muted">{detailWords(t, r, people, lang).join(" · ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total > PAGE && (
        <div className="row gap">
          <button type="button" className="btn" disabled={offset === 0} onClick={() => go({ offset: Math.max(0, offset - PAGE) })}>{t("audit.prev")}</button>
          <span className="muted">{t("audit.range", { from: offset + 1, to: Math.min(total, offset + PAGE), total })}</span>
          <button type="button" className="btn" disabled={offset + PAGE >= total} onClick={() => go({ offset: offset + PAGE })}>{t("audit.next")}</button>
        </div>
      )}
    </div>
  );
}
