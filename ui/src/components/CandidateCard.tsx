import { useTranslation } from "react-i18next";
import { formatDuration, formatHours, formatPercent, normLang } from "../lib/format";
import { type Candidate, evidenceKind } from "../lib/report";

function EvidenceValue({ k, v }: { k: string; v: unknown }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  switch (evidenceKind(k, v)) {
    case "percent": return <>{formatPercent(v as number, lang)}</>;
    case "duration": return <>{formatDuration(v as number, lang)}</>;
    case "bool": return <>{v ? t("common.yes") : t("common.no")}</>;
    default: return <>{String(v)}</>;
  }
}

/** One flagged step: evidence, confidence, saving and remedies. */
export function CandidateCard({ c, title }: { c: Candidate; title: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const english = normLang(lang) === "en";
  return (
    <li className="card candidate" data-testid="candidate" data-step={c.step}>
      <div className="row wrap gap-sm">
        <strong className="grow">⚑ {title}</strong>
        <span className={`badge badge-${c.kind}`}>{t(`dashboard.kind_${c.kind}`, { defaultValue: c.kind })}</span>
      </div>
      {english && c.summary && <p className="small">{c.summary}</p>}
      <div className="candidate-grid">
        <div>
          <h4>{t("dashboard.evidence")}</h4>
          <table className="table evidence">
            <tbody>
              {c.evidence.map(([k, v]) => (
                <tr key={k}><th>{t(`dashboard.ev_${k}`, { defaultValue: k })}</th><td className="num"><EvidenceValue k={k} v={v} /></td></tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="stack">
          <div>
            <h4>{t("dashboard.confidence")}</h4>
            <span className={`badge badge-conf-${c.confidence ?? "none"}`}>
              {c.confidence ? t(`dashboard.confidence_${c.confidence}`, { defaultValue: c.confidence }) : "—"}
            </span>
          </div>
          <div>
            <h4>{t("dashboard.saving")}</h4>
            {c.hoursPerYear != null && <div>{t("dashboard.hoursPerYear", { hours: formatHours(c.hoursPerYear, lang) })}</div>}
            {c.cyclePerRequest != null && <div>{t("dashboard.perRequest", { duration: formatDuration(c.cyclePerRequest, lang) })}</div>}
            {c.cyclePerYearHours != null && <div>{t("dashboard.perYear", { hours: formatHours(c.cyclePerYearHours, lang) })}</div>}
          </div>
          <div>
            <h4>{t("dashboard.remedy")}</h4>
            <ol className="remedies">
              {c.remedies.map((r, i) => (
                <li key={i}>
                  <strong>{t(`dashboard.remedy_${r.action}`, { condition: r.condition ?? "", defaultValue: r.action })}</strong>
                  {english && r.detail && <div className="muted small">{r.detail}</div>}
                </li>
              ))}
            </ol>
          </div>
        </div>
      </div>
    </li>
  );
}
