import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { formatDuration, formatHours, formatPercent } from "../lib/format";
import { type Candidate, evidenceKind, exactDuration, type OutOfTime, shownDifference } from "../lib/report";

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

/** How a rule learned on the earlier requests held on the later ones, in words. */
export function OutOfTimeLine({ v }: { v: OutOfTime }) {
  const { t } = useTranslation();
  const key = v.status === "held" ? "dashboard.ootHeld" : v.status === "did_not_hold"
    ? "dashboard.ootFailed" : "dashboard.ootUnchecked";
  return (
    <div className={`small oot oot-${v.status}`} data-testid="out-of-time" data-status={v.status}>
      {t(key, { learned: v.learnedOn, later: v.checkedOn, let: v.letThrough, stopped: v.stopped })}
    </div>
  );
}

/** One flagged step: its sentence, evidence, confidence, saving and remedies. */
export function CandidateCard({ c, title, apply }: { c: Candidate; title: string; apply?: ReactNode }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const f = c.facts;
  const sentence = t(`dashboard.sentence_${c.kind}`, {
    defaultValue: c.summary ?? "",
    approve: f.approve, decisions: f.decisions, bound: formatPercent(f.stopHigh, lang),
    median: formatDuration(f.median, lang), working: formatDuration(f.medianWorking, lang),
    ceiling: formatDuration(f.ceiling, lang), limit: formatDuration(f.fastBelow, lang),
  });
  return (
    <li className="card candidate" data-testid="candidate" data-step={c.step} data-kind={c.kind}>
      <div className="row wrap gap-sm">
        <strong className="grow">⚑ {title}</strong>
        <span className={`badge badge-${c.kind}`}>{t(`dashboard.kind_${c.kind}`, { defaultValue: c.kind })}</span>
      </div>
      <p className="small" data-testid="sentence">{sentence}</p>
      {c.outOfTime && <OutOfTimeLine v={c.outOfTime} />}
      <div className="candidate-grid">
        <div>
          <h4>{t("dashboard.evidence")}</h4>
          <table className="table table-cards evidence" data-testid="evidence">
            <tbody>
              {c.evidence.map(([k, v]) => (
                <tr key={k}><th scope="row">{t(`dashboard.ev_${k}`, { defaultValue: k })}</th><td className="num"><EvidenceValue k={k} v={v} /></td></tr>
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
          <div data-testid="saving">
            <h4>{t("dashboard.saving")}</h4>
            {c.hoursPerYear != null && <div>{t("dashboard.hoursPerYear", { hours: formatHours(c.hoursPerYear, lang) })}</div>}
            {c.cyclePerRequest != null && (
              <div>{t("dashboard.meanSaved", {
                before: exactDuration(c.meanBefore, lang, formatDuration),
                after: exactDuration(c.meanAfter, lang, formatDuration),
                saved: exactDuration(shownDifference(c.meanBefore, c.meanAfter, c.cyclePerRequest), lang, formatDuration) })}</div>
            )}
            {c.cyclePerYearHours != null && <div>{t("dashboard.perYear", { hours: formatHours(c.cyclePerYearHours, lang) })}</div>}
          </div>
          <div>
            <h4>{t("dashboard.remedy")}</h4>
            <ol className="remedies">
              {c.remedies.map((r, i) => (
                <li key={i}>
                  <strong>{t(`dashboard.remedy_${r.action}`, { condition: r.condition ?? "", defaultValue: r.action })}</strong>
                  {r.outOfTime && <OutOfTimeLine v={r.outOfTime} />}
                </li>
              ))}
            </ol>
            {apply}
          </div>
        </div>
      </div>
    </li>
  );
}
