import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router-dom";
import type { DefinitionOut } from "../api/types";
import { useAuth } from "../auth";
import { ProblemView, Spinner } from "../components/ProblemView";
import { YamlUpload } from "../components/YamlUpload";
import { formatDuration } from "../lib/format";
import { localized } from "../lib/localize";
import { useApi } from "../lib/useApi";

const MermaidDiagram = lazy(() => import("../components/Mermaid"));

export default function ProcessPage() {
  const { key = "" } = useParams();
  const { t, i18n } = useTranslation();
  const { user } = useAuth();
  const navigate = useNavigate();
  const [version, setVersion] = useState<number>();
  const [showUpload, setShowUpload] = useState(false);
  const defn = useApi<DefinitionOut>(`/definitions/${encodeURIComponent(key)}${version ? `?version=${version}` : ""}`);
  const lang = i18n.language;

  if (defn.loading && !defn.data) return <Spinner />;
  if (defn.error) return <ProblemView error={defn.error} onRetry={defn.reload} />;
  if (!defn.data) return null;
  const d = defn.data;
  const owner = !!user && (user.is_process_owner || user.is_admin);
  return (
    <div className="page">
      <div className="page-head">
        <Link to="/processes" className="back">← {t("processes.title")}</Link>
        <h1>{localized(d, "title", lang)}</h1>
        <label className="inline">{t("processes.versions")}
          <select value={d.version} onChange={(e) => setVersion(Number(e.target.value))}>
            {[...d.versions].sort((a, b) => b - a).map((v) => <option key={v} value={v}>v{v}</option>)}
          </select>
        </label>
      </div>
      {d.description && <p className="muted">{localized(d, "description", lang)}</p>}
      <div className="two-col">
        <section className="card">
          <h3>{t("processes.diagram")}</h3>
          <Suspense fallback={<Spinner />}><MermaidDiagram text={d.mermaid} /></Suspense>
        </section>
        <section className="card">
          <h3>{t("processes.nodes")}</h3>
          <div className="table-scroll">
            <table className="table">
              <thead><tr><th>{t("timeline.step")}</th><th>{t("processes.approvers")}</th><th>{t("processes.mode")}</th><th>{t("processes.sla")}</th><th>{t("processes.next")}</th></tr></thead>
              <tbody>
                {d.nodes.map((n) => (
                  <tr key={n.id}>
                    <td><strong>{localized(n, "title", lang) || n.id}</strong><br /><code className="small">{n.id}</code></td>
                    <td>{n.approvers.join(", ")}</td>
                    <td>{n.kind === "approval" ? n.mode : n.kind}</td>
                    <td>{n.sla_seconds ? formatDuration(n.sla_seconds, lang) : ""}</td>
                    <td className="small">{n.next.map((x, i) => <div key={i}>{x.action} → {x.to}{x.if ? ` (${x.if})` : ""}</div>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
      {owner ? (
        <>
          <button type="button" className="btn" onClick={() => setShowUpload((s) => !s)}>{t("processes.upload")}</button>
          {showUpload && <YamlUpload initial={d.yaml} onPublished={(nd) => (nd.key === key ? setVersion(nd.version)
            : navigate(`/processes/${encodeURIComponent(nd.key)}`))} />}
        </>
      ) : <p className="muted small">{t("processes.ownersOnly")}</p>}
      <section className="card">
        <h3>{t("processes.yaml")}</h3>
        <pre className="yaml">{d.yaml}</pre>
      </section>
    </div>
  );
}
