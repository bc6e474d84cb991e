import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router-dom";
import type { InstancePage } from "../api/types";
import { useAuth } from "../auth";
import { StatusBadge } from "../components/Badges";
import { ProblemView, Spinner } from "../components/ProblemView";
import { downloadFile } from "../lib/download";
import { formatDateTime, formatDuration, secondsSince } from "../lib/format";
import { personName } from "../lib/localize";
import { useApi } from "../lib/useApi";

export default function MyRequests() {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  const [params, setParams] = useSearchParams();
  const scope = params.get("scope") === "cc" ? "cc" : "mine";
  const list = useApi<InstancePage>(`/instances?scope=${scope}&limit=100`);
  const lang = i18n.language;
  return (
    <div className="page">
      <div className="row wrap gap-sm">
        <h1 className="grow">{t("requests.title")}</h1>
        <button type="button" className="btn btn-link"
          onClick={() => void downloadFile(`/instances.xlsx?scope=${scope}`, "requests.xlsx")}>
          {t("requests.export")}</button>
      </div>
      <div className="tabs" role="tablist">
        {(["mine", "cc"] as const).map((s) => (
          <button key={s} type="button" role="tab" aria-selected={scope === s}
            className={scope === s ? "tab active" : "tab"} onClick={() => setParams({ scope: s })}>
            {t(`requests.${s}`)}
          </button>
        ))}
      </div>
      {list.loading && !list.data && <Spinner />}
      {list.error && <ProblemView error={list.error} onRetry={list.reload} />}
      {list.data && list.data.items.length === 0 && <p className="empty">{t("requests.empty")}</p>}
      {list.data && list.data.items.length > 0 && (
        <ul className="request-list">
          {list.data.items.map((r) => {
            const open = r.status === "running" || r.status === "returned";
            return (
              <li key={r.id} className="card request-card" data-testid="request">
                <Link to={`/requests/${r.id}`} className="task-link">
                  <div className="row wrap gap-sm">
                    <strong className="grow">{r.title || r.definition_title || r.definition}</strong>
                    <StatusBadge status={r.status} />
                  </div>
                  <div className="muted small row wrap gap-sm">
                    <span>{r.definition_title ?? r.definition}</span>
                    {scope === "cc" && <span>· {personName(r.initiator, people, lang)}</span>}
                    <span>· {t("requests.started")} {formatDateTime(r.started_at, lang)}</span>
                  </div>
                  {open && (
                    <div className="small row wrap gap-sm where">
                      <span>{t("requests.where")}: <strong>{r.current_node_title ?? r.current_node}</strong></span>
                      {!!r.holders?.length && <span>· {t("requests.heldBy")}: {r.holders.map((h) => personName(h, people, lang)).join(", ")}</span>}
                      {r.since && <span>· {formatDuration(secondsSince(r.since), lang)}</span>}
                    </div>
                  )}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
