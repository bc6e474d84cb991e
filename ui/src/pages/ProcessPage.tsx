import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router-dom";
import type { DefinitionOut } from "../api/types";
import { useAuth } from "../auth";
import { ProblemView, Spinner } from "../components/ProblemView";
import { api, ApiError } from "../api/client";
import { ConfirmModal } from "../components/ConfirmModal";
import { localized } from "../lib/localize";
import { useApi } from "../lib/useApi";

const MermaidDiagram = lazy(() => import("../components/Mermaid"));
const DefinitionEditor = lazy(() => import("../components/DefinitionEditor"));

export default function ProcessPage() {
  const { key = "" } = useParams();
  const { t, i18n } = useTranslation();
  const { user } = useAuth();
  const navigate = useNavigate();
  const [version, setVersion] = useState<number>();
  const [editing, setEditing] = useState(false);
  const [asking, setAsking] = useState(false);
  const [retireError, setRetireError] = useState<ApiError>();
  const defn = useApi<DefinitionOut>(`/definitions/${encodeURIComponent(key)}${version ? `?version=${version}` : ""}`);
  const lang = i18n.language;

  if (defn.loading && !defn.data) return <Spinner />;
  if (defn.error) return <ProblemView error={defn.error} onRetry={defn.reload} />;
  if (!defn.data) return null;
  const d = defn.data;
  const owner = !!user && (user.is_process_owner || user.is_admin);
  const title = localized(d, "title", lang);
  const stepTitle = (id: string) => {
    const found = d.nodes.find((n) => n.id === id);
    return id === "initiator" ? t("actions.initiator") : found ? localized(found, "title", lang) || id : id;
  };

  async function setRetired(retire: boolean) {
    setAsking(false);
    setRetireError(undefined);
    try {
      await api<DefinitionOut>(`/definitions/${encodeURIComponent(key)}/${retire ? "retire" : "unretire"}`, { method: "POST" });
      defn.reload();
    } catch (e) {
      if (e instanceof ApiError) setRetireError(e);
      else throw e;
    }
  }
  return (
    <div className="page">
      <div className="page-head">
        <Link to="/processes" className="back">← {t("processes.title")}</Link>
        <h1>{title}</h1>
        {d.retired_at && <span className="badge badge-retired" data-testid="retired-badge">{t("editor.retired")}</span>}
        <label className="inline">{t("processes.versions")}
          <select value={d.version} onChange={(e) => setVersion(Number(e.target.value))}>
            {[...d.versions].sort((a, b) => b - a).map((v) => <option key={v} value={v}>v{v}</option>)}
          </select>
        </label>
      </div>
      {d.description && <p className="muted">{localized(d, "description", lang)}</p>}
      {d.retired_at && (
        <div className="notice" role="status" data-testid="retired-note">
          {t("editor.retiredBy", { date: new Date(d.retired_at).toLocaleDateString(lang), who: d.retired_by_name ?? d.retired_by ?? "" })}
        </div>
      )}
      <div className="two-col">
        <section className="card">
          <h3>{t("processes.diagram")}</h3>
          <Suspense fallback={<Spinner />}><MermaidDiagram text={d.mermaid} /></Suspense>
        </section>
        <section className="card">
          <h3>{t("processes.nodes")}</h3>
          <div className="table-scroll" tabIndex={0} role="region" aria-label={t("processes.nodes")}>
            <table className="table table-cards" data-testid="steps">
              <thead><tr><th>{t("timeline.step")}</th><th>{t("processes.approvers")}</th><th>{t("processes.mode")}</th><th>{t("processes.sla")}</th><th>{t("processes.next")}</th></tr></thead>
              <tbody>
                {d.nodes.map((n) => (
                  <tr key={n.id}>
                    <td data-label={t("timeline.step")}><strong>{localized(n, "title", lang) || n.id}</strong><br /><code className="small">{n.id}</code></td>
                    <td data-label={t("processes.approvers")}>{n.approvers_text}</td>
                    <td data-label={t("processes.mode")}>{n.kind === "approval" ? n.mode_text : n.kind === "fork" ? t(`processes.join_${n.join ?? "all"}`) : t(`processes.kind_${n.kind}`)}</td>
                    <td data-label={t("processes.sla")}>{n.sla_text}</td>
                    <td data-label={t("processes.next")} className="small">{Object.entries(n.branches ?? {}).map(([b, to]) => <div key={b}>{t("processes.branch", { name: b })} → {stepTitle(to)}</div>)}{n.next.map((x, i) => <div key={i}>{x.action === "next" ? t("processes.then") : t(`actions.${x.action}`, { defaultValue: x.action })} → {stepTitle(x.to)}{x.if ? ` (${x.if_text ?? x.if})` : ""}</div>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
      {owner ? (
        <div className="row gap-sm owner-actions">
          <button type="button" className="btn" aria-expanded={editing} onClick={() => setEditing((s) => !s)}>
            {editing ? t("editor.close") : t("editor.open")}</button>
          {d.retired_at
            ? <button type="button" className="btn" onClick={() => void setRetired(false)}>{t("editor.unretire")}</button>
            : <button type="button" className="btn btn-danger" onClick={() => setAsking(true)}>{t("editor.retire")}</button>}
        </div>
      ) : <p className="muted small">{t("processes.ownersOnly")}</p>}
      {retireError && <ProblemView error={retireError} />}
      <ConfirmModal open={asking} danger confirmLabel={t("editor.retire")} cancelLabel={t("editor.cancel")}
        onConfirm={() => void setRetired(true)} onCancel={() => setAsking(false)}>
        {t("editor.retireConfirm", { title })}
      </ConfirmModal>
      {owner && editing && (
        <Suspense fallback={<Spinner />}>
          <DefinitionEditor initial={d.yaml} onPublished={(nd) => (nd.key === key ? (setVersion(nd.version), defn.reload())
            : navigate(`/processes/${encodeURIComponent(nd.key)}`))} />
        </Suspense>
      )}
      <section className="card">
        <h3>{t("processes.yaml")}</h3>
        <pre className="yaml" tabIndex={0}>{d.yaml}</pre>
      </section>
    </div>
  );
}
