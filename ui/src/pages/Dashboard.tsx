import { lazy, Suspense, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router-dom";
import { api, ApiError } from "../api/client";
import { ProblemView, Spinner } from "../components/ProblemView";
import { formatDuration, formatPercent, normLang } from "../lib/format";
import { localized, personName } from "../lib/localize";
import { useAuth } from "../auth";
import { exactDuration, type NotFlagged, readReport, shownDifference } from "../lib/report";
import { CandidateCard } from "../components/CandidateCard";
import { VersionChange } from "../components/VersionChange";
import { ApplyDraft } from "../components/ApplyDraft";
import type { DefinitionOut, DefinitionSummaryOut, ProcessOut, ReportOut, WhatIfOut } from "../api/types";
import { DailyReportPreview } from "../components/DailyReportPreview";
import { useApi } from "../lib/useApi";

const DurationChart = lazy(() => import("../components/Charts").then((m) => ({ default: m.DurationChart })));
const TrendChart = lazy(() => import("../components/Charts").then((m) => ({ default: m.TrendChart })));

function WhatIf({ processKey, steps }: { processKey: string; steps: { step: string; title: string }[] }) {
  const { t, i18n } = useTranslation();
  const [node, setNode] = useState(steps[0]?.step ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [out, setOut] = useState<WhatIfOut>();
  async function run() {
    setBusy(true);
    setError(undefined);
    setOut(undefined);
    try {
      setOut(await api<WhatIfOut>(`/analytics/${encodeURIComponent(processKey)}/what-if`,
        { body: { remove: [node], skip: [] } }));
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    } finally {
      setBusy(false);
    }
  }
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
          {/* one definition of the saving: the mean cycle time of all requests, before
              minus after, each shown to the second so the three read alike */}
          <div><dt>{t("dashboard.baseline")}</dt><dd data-testid="before">{exactDuration(out.baseline.mean_cycle_s, lang, formatDuration)}</dd></div>
          <div><dt>{t("dashboard.scenario")}</dt><dd data-testid="after">{exactDuration(out.scenario.mean_cycle_s, lang, formatDuration)}</dd></div>
          <div><dt>{t("dashboard.cycleTimeSaved")}</dt><dd data-testid="saved"><strong>{exactDuration(shownDifference(out.baseline.mean_cycle_s, out.scenario.mean_cycle_s, out.cycle_time_saved_seconds), lang, formatDuration)}</strong></dd></div>
          <div><dt>{t("dashboard.lostRejections")}</dt><dd>{out.lost_rejections.length || t("dashboard.lostNone")}</dd></div>
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
  const { people, user } = useAuth();
  const owner = !!user && (user.is_admin || user.is_process_owner);
  const processes = useApi<ProcessOut[]>("/analytics/processes");
  const defs = useApi<DefinitionSummaryOut[]>("/definitions"); // titles in the UI's language
  const defTitle = (p: ProcessOut) =>
    localized(defs.data?.find((d) => d.key === p.key), "title", lang) || localized(p, "title", lang);
  const chosen = key ?? processes.data?.[0]?.key;
  const report = useApi<ReportOut>(chosen ? `/analytics/${encodeURIComponent(chosen)}/report` : null);
  const defn = useApi<DefinitionOut>(chosen ? `/definitions/${encodeURIComponent(chosen)}` : null);
  const r = useMemo(() => (report.data ? readReport(report.data) : undefined), [report.data]);
  const flagged = useMemo(() => new Set(r?.candidates.map((c) => c.step)), [r]);
  // every title seen stays known: after publishing a version without a step, the step's
  // history is still shown under its title, not its raw id
  const seenTitles = useRef(new Map<string, { title: string; title_zh?: string | null }>());
  const title = useMemo(() => {
    for (const n of defn.data?.nodes ?? []) seenTitles.current.set(n.id, n);
    const names = new Map([...seenTitles.current].map(([id, n]) => [id, localized(n, "title", lang) || id]));
    // steps an earlier version had: their title from that version, never the raw id
    for (const c of report.data?.versions?.changes ?? []) {
      for (const s of c.steps) {
        if (!names.has(s.step)) names.set(s.step, (normLang(lang) === "zh-CN" && s.title_zh) || s.title);
      }
    }
    return (step: string) => names.get(step) ?? step;
  }, [defn.data, report.data, lang]);
  const approvalSteps = (r?.steps ?? []).filter((s) => s.approval);
  const minDecisions = report.data?.settings.thresholds.min_decisions ?? 30;
  const maxStop = report.data?.settings.thresholds.max_stop_rate ?? 0.05;
  // Why a step is kept, in the UI's language with the report's own figures.
  const keptReason = (n: NotFlagged) => {
    if (normLang(lang) === "en" && n.reason) return n.reason;
    return t(`dashboard.kept_${n.code}`, {
      defaultValue: n.fast ? t("dashboard.fastButCareful") : t("dashboard.keptOther"),
      decisions: n.decisions, needs: minDecisions, threshold: formatPercent(maxStop, lang),
      rate: formatPercent(n.rate, lang), low: formatPercent(n.low, lang), high: formatPercent(n.high, lang),
      median: formatDuration(n.median, lang),
    });
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t("dashboard.title")}</h1>
        {processes.data && (
          <label className="inline">{t("dashboard.pick")}
            <select value={chosen ?? ""} onChange={(e) => navigate(`/dashboard/${e.target.value}`)}>
              {processes.data.map((p) => (
                <option key={p.key} value={p.key}>{defTitle(p)} ({t("dashboard.instances", { count: p.instances })})</option>
              ))}
            </select>
          </label>
        )}
      </div>
      {chosen && owner && <DailyReportPreview process={chosen} />}
      {processes.loading && <Spinner />}
      {processes.error && <ProblemView error={processes.error} onRetry={processes.reload} />}
      {processes.data && processes.data.length === 0 && <p className="empty">{t("common.noData")}</p>}
      {report.loading && <Spinner />}
      {report.error && <ProblemView error={report.error} onRetry={report.reload} />}
      {r && chosen && !report.loading && (
        <>
          {r.cases != null && (
            <p className="muted">{t("dashboard.summaryLine", { cases: r.cases, duration: formatDuration(r.medianCycle, lang) })}</p>
          )}
          {(report.data?.versions?.changes.length ?? 0) > 0 && (
            <section data-testid="changes">
              <h2>{t("dashboard.changes")}</h2>
              <ul className="candidates">
                {report.data!.versions!.changes.map((c) => <VersionChange key={`${c.from_version}-${c.to_version}`} c={c} title={title} />)}
              </ul>
            </section>
          )}
          <section>
            <h2>{t("dashboard.candidates")}</h2>
            {(report.data?.versions?.judged.length ?? 0) > 0 && (
              <p className="muted small" data-testid="judged-on">{t("dashboard.judgedOn", { versions: report.data!.versions!.judged.join(", ") })}</p>
            )}
            {r.candidates.length === 0 ? <p className="empty">{t("dashboard.noCandidates")}</p> : (
              <ul className="candidates">
                {r.candidates.map((c) => <CandidateCard key={`${c.step}-${c.kind}`} c={c} title={title(c.step)}
                  apply={owner ? <ApplyDraft processKey={chosen} step={c.step} onPublished={defn.reload} /> : undefined} />)}
              </ul>
            )}
          </section>
          <div className="two-col">
            <section className="card">
              <h3>{t("dashboard.durations")}</h3>
              <Suspense fallback={<Spinner />}>
                <DurationChart steps={approvalSteps.map((s) => ({ ...s, title: title(s.step) }))} flagged={flagged} />
              </Suspense>
            </section>
            <section className="card">
              <h3>{t("dashboard.bottlenecks")}</h3>
              {r.bottlenecks.length === 0 ? <p className="muted">{t("dashboard.noBottlenecks")}</p> : (
                <ol className="bottlenecks" data-testid="bottlenecks">
                  {r.bottlenecks.map((b, i) => (
                    <li key={i}>
                      <span className="muted small">{b.who === "step" ? t("dashboard.stepsCol") : t("dashboard.approversCol")} </span>
                      <strong>{b.who === "step" ? title(b.label) : personName(b.label, people, lang)}</strong>
                      {b.share != null && <span> · {t("dashboard.share")} {formatPercent(b.share, lang)}</span>}
                      {b.median != null && <span> · {t("dashboard.median")} {formatDuration(b.median, lang)}</span>}
                      {b.detail != null && <span> · {t("dashboard.maxQueue", { count: b.detail })}</span>}
                    </li>
                  ))}
                </ol>
              )}
              {!r.perApprover && <p className="muted small" data-testid="approvers-hidden">{t("dashboard.approversHidden")}</p>}
            </section>
          </div>
          {r.notFlagged.length > 0 && (
            <section className="card">
              <h3>{t("dashboard.notFlagged")}</h3>
              <ul className="kept">
                {r.notFlagged.map((n) => (
                  <li key={n.step} data-testid="kept" data-step={n.step}>
                    <strong>{title(n.step)}</strong>{" "}
                    <span className="muted small">{keptReason(n)}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section className="card">
            <h3>{t("dashboard.steps")}</h3>
            <div className="table-scroll">
              <table className="table table-cards" data-testid="dashboard-steps">
                <thead><tr><th>{t("dashboard.step")}</th><th className="num">{t("dashboard.visits")}</th>
                  <th className="num">{t("dashboard.median")}</th><th className="num">{t("dashboard.p90")}</th>
                  <th className="num">{t("dashboard.approveRate")}</th><th className="num">{t("dashboard.rejectRate")}</th>
                  <th className="num">{t("dashboard.returnRate")}</th><th className="num">{t("dashboard.commentRate")}</th></tr></thead>
                <tbody>
                  {approvalSteps.map((s) => (
                    <tr key={s.step} className={flagged.has(s.step) ? "flagged" : ""}>
                      <td data-label={t("dashboard.step")}>{flagged.has(s.step) ? "⚑ " : ""}{title(s.step)}</td>
                      <td data-label={t("dashboard.visits")} className="num">{s.visits ?? "—"}</td>
                      <td data-label={t("dashboard.median")} className="num">{formatDuration(s.median, lang)}</td>
                      <td data-label={t("dashboard.p90")} className="num">{formatDuration(s.p90, lang)}</td>
                      <td data-label={t("dashboard.approveRate")} className="num">{formatPercent(s.approveRate, lang)}</td>
                      <td data-label={t("dashboard.rejectRate")} className="num">{formatPercent(s.rejectRate, lang)}</td>
                      <td data-label={t("dashboard.returnRate")} className="num">{formatPercent(s.returnRate, lang)}</td>
                      <td data-label={t("dashboard.commentRate")} className="num">{formatPercent(s.commentRate, lang)}</td>
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
          {approvalSteps.length > 0 && <WhatIf key={chosen} processKey={chosen}
            steps={[...r.candidates.map((c) => c.step), ...approvalSteps.map((s) => s.step)]
              .filter((s, i, all) => all.indexOf(s) === i).map((s) => ({ step: s, title: title(s) }))} />}
        </>
      )}
    </div>
  );
}
