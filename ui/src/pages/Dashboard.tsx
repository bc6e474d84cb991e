import { lazy, Suspense, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router-dom";
import { api, ApiError } from "../api/client";
import { ProblemView, Spinner } from "../components/ProblemView";
import { formatDuration, formatHours, formatPercent } from "../lib/format";
import { localized } from "../lib/localize";
import { type Candidate, num, readReport } from "../lib/report";
import { useApi } from "../lib/useApi";

const DurationChart = lazy(() => import("../components/Charts").then((m) => ({ default: m.DurationChart })));
const TrendChart = lazy(() => import("../components/Charts").then((m) => ({ default: m.TrendChart })));

interface ProcessRow { key: string; title: string; title_zh?: string; instances: number }

function CandidateCard({ c }: { c: Candidate }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  return (
    <li className="card candidate" data-testid="candidate" data-step={c.step}>
      <div className="row wrap gap-sm">
        <strong className="grow">⚑ {c.title}</strong>
        <span className={`badge badge-${c.kind}`}>{t(`dashboard.kind_${c.kind}`, { defaultValue: c.kind })}</span>
      </div>
      <dl className="facts">
        <div><dt>{t("dashboard.evidence")}</dt><dd><ul className="evidence">{c.evidence.map((e, i) => <li key={i}>{e}</li>)}</ul></dd></div>
        <div><dt>{t("dashboard.confidence")}</dt><dd>{c.confidenceText ?? formatPercent(c.confidence, lang)}</dd></div>
        <div><dt>{t("dashboard.saving")}</dt><dd>
          {c.hoursPerYear != null && <div>{t("dashboard.hoursPerYear", { hours: formatHours(c.hoursPerYear, lang) })}</div>}
          {c.cycleSeconds != null && <div>{t("dashboard.cycleSaved", { duration: formatDuration(c.cycleSeconds, lang) })}</div>}
        </dd></div>
        <div><dt>{t("dashboard.remedy")}</dt><dd>
          {t(`dashboard.remedy_${c.remedy}`, { defaultValue: c.remedy })}
          {c.remedyText && <div className="muted small">{c.remedyText}</div>}
        </dd></div>
      </dl>
    </li>
  );
}

function WhatIf({ processKey, steps }: { processKey: string; steps: { step: string; title: string }[] }) {
  const { t, i18n } = useTranslation();
  const [node, setNode] = useState(steps[0]?.step ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [out, setOut] = useState<Record<string, unknown>>();
  async function run() {
    setBusy(true);
    setError(undefined);
    setOut(undefined);
    try {
      setOut(await api<Record<string, unknown>>(`/analytics/${encodeURIComponent(processKey)}/what-if`,
        { body: { remove: [node], skip: [] } }));
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    } finally {
      setBusy(false);
    }
  }
  const lost = Array.isArray(out?.lost_rejections) ? out.lost_rejections : [];
  const lang = i18n.language;
  return (
    <section className="card" data-testid="what-if">
      <h3>{t("dashboard.whatIf")}</h3>
      <div className="row wrap gap-sm">
        <label className="inline">{t("dashboard.remove")}
          <select value={node} onChange={(e) => setNode(e.target.value)}>
            {steps.map((s) => <option key={s.step} value={s.step}>{s.title}</option>)}
          </select>
        </label>
        <button type="button" className="btn btn-primary" disabled={busy || !node} onClick={() => void run()}>{t("dashboard.run")}</button>
        {busy && <Spinner label={t("common.working")} />}
      </div>
      {error && <ProblemView error={error} />}
      {out && (
        <dl className="facts">
          <div><dt>{t("dashboard.baseline")}</dt><dd>{formatDuration(num(out, "baseline.median_cycle_s", "baseline.median_s"), lang)}</dd></div>
          <div><dt>{t("dashboard.scenario")}</dt><dd>{formatDuration(num(out, "scenario.median_cycle_s", "scenario.median_s"), lang)}</dd></div>
          <div><dt>{t("dashboard.cycleTimeSaved")}</dt><dd data-testid="saved"><strong>{formatDuration(num(out, "cycle_time_saved_seconds"), lang)}</strong></dd></div>
          <div><dt>{t("dashboard.lostRejections")}</dt><dd>{lost.length ? lost.length : t("dashboard.lostNone")}</dd></div>
        </dl>
      )}
    </section>
  );
}

export default function Dashboard() {
  const { key } = useParams();
  const navigate = useNavigate();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const processes = useApi<ProcessRow[]>("/analytics/processes");
  const chosen = key ?? processes.data?.[0]?.key;
  const report = useApi<unknown>(chosen ? `/analytics/${encodeURIComponent(chosen)}/report` : null);
  const r = useMemo(() => (report.data ? readReport(report.data) : undefined), [report.data]);
  const flagged = useMemo(() => new Set(r?.candidates.map((c) => c.step)), [r]);

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t("dashboard.title")}</h1>
        {processes.data && (
          <label className="inline">{t("dashboard.pick")}
            <select value={chosen ?? ""} onChange={(e) => navigate(`/dashboard/${e.target.value}`)}>
              {processes.data.map((p) => (
                <option key={p.key} value={p.key}>{localized(p, "title", lang)} ({t("dashboard.instances", { count: p.instances })})</option>
              ))}
            </select>
          </label>
        )}
      </div>
      {processes.loading && <Spinner />}
      {processes.error && <ProblemView error={processes.error} onRetry={processes.reload} />}
      {report.loading && <Spinner />}
      {report.error && <ProblemView error={report.error} onRetry={report.reload} />}
      {r && chosen && (
        <>
          <section>
            <h2>{t("dashboard.candidates")}</h2>
            {r.candidates.length === 0 ? <p className="empty">{t("dashboard.noCandidates")}</p> : (
              <ul className="candidates">{r.candidates.map((c) => <CandidateCard key={`${c.step}-${c.kind}`} c={c} />)}</ul>
            )}
          </section>
          <div className="two-col">
            <section className="card">
              <h3>{t("dashboard.durations")}</h3>
              <Suspense fallback={<Spinner />}><DurationChart steps={r.steps} flagged={flagged} /></Suspense>
            </section>
            <section className="card">
              <h3>{t("dashboard.bottlenecks")}</h3>
              {r.bottlenecks.length === 0 ? <p className="muted">{t("dashboard.noBottlenecks")}</p> : (
                <ol className="bottlenecks">
                  {r.bottlenecks.map((b, i) => (
                    <li key={i}><strong>{b.label}</strong>
                      {b.share != null && <span> · {t("dashboard.share")} {formatPercent(b.share, lang)}</span>}
                      {b.seconds != null && <span> · {formatDuration(b.seconds, lang)}</span>}
                    </li>
                  ))}
                </ol>
              )}
            </section>
          </div>
          <section className="card">
            <h3>{t("dashboard.steps")}</h3>
            <div className="table-scroll">
              <table className="table">
                <thead><tr><th>{t("dashboard.step")}</th><th className="num">{t("dashboard.visits")}</th>
                  <th className="num">{t("dashboard.median")}</th><th className="num">{t("dashboard.p90")}</th>
                  <th className="num">{t("dashboard.approveRate")}</th><th className="num">{t("dashboard.rejectRate")}</th>
                  <th className="num">{t("dashboard.returnRate")}</th><th className="num">{t("dashboard.commentRate")}</th></tr></thead>
                <tbody>
                  {r.steps.map((s) => (
                    <tr key={s.step} className={flagged.has(s.step) ? "flagged" : ""}>
                      <td>{flagged.has(s.step) ? "⚑ " : ""}{s.title}</td><td className="num">{s.visits ?? "—"}</td>
                      <td className="num">{formatDuration(s.median, lang)}</td><td className="num">{formatDuration(s.p90, lang)}</td>
                      <td className="num">{formatPercent(s.approveRate, lang)}</td><td className="num">{formatPercent(s.rejectRate, lang)}</td>
                      <td className="num">{formatPercent(s.returnRate, lang)}</td><td className="num">{formatPercent(s.commentRate, lang)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          {r.trend.length > 0 && (
            <section className="card">
              <h3>{t("dashboard.trend")}</h3>
              <Suspense fallback={<Spinner />}><TrendChart points={r.trend} /></Suspense>
            </section>
          )}
          {r.steps.length > 0 && <WhatIf key={chosen} processKey={chosen}
            steps={(r.candidates.length ? [...r.candidates, ...r.steps] : r.steps)
              .filter((s, i, all) => all.findIndex((x) => x.step === s.step) === i)} />}
        </>
      )}
    </div>
  );
}
