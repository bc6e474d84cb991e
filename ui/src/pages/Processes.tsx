import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import type { DefinitionSummaryOut } from "../api/types";
import { ProblemView, Spinner } from "../components/ProblemView";
import { localized } from "../lib/localize";
import { useApi } from "../lib/useApi";

export default function Processes() {
  const { t, i18n } = useTranslation();
  const defs = useApi<DefinitionSummaryOut[]>("/definitions");
  return (
    <div className="page">
      <h1>{t("processes.title")}</h1>
      {defs.loading && <Spinner />}
      {defs.error && <ProblemView error={defs.error} onRetry={defs.reload} />}
      <div className="cards">
        {(defs.data ?? []).map((d) => (
          <Link key={d.key} to={`/processes/${d.key}`} className="card card-link" data-key={d.key}>
            <strong>{localized(d, "title", i18n.language)}
              {d.retired_at && <> <span className="badge badge-retired">{t("editor.retired")}</span></>}</strong>
            <span className="muted small">{localized(d, "description", i18n.language)}</span>
            <span className="small">
              <code>{d.key}</code> · {t("common.version")} {d.version} · {t("processes.nodes")} {d.node_count}
            </span>
          </Link>
        ))}
      </div>
    </div>
  );
}
