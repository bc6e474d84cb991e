import { useTranslation } from "react-i18next";
import type { ReportOut } from "../api/types";
import { formatDuration, formatPercent, normLang } from "../lib/format";

type Change = NonNullable<ReportOut["versions"]>["changes"][number];
type Side = Change["before"];
type Share = Side["stopped"];

function Interval({ low, high, fmt }: { low?: number | null; high?: number | null; fmt: (x: number) => string }) {
  if (low == null || high == null) return null;
  return <span className="muted small"> ({fmt(low)}–{fmt(high)})</span>;
}

function Rate({ s }: { s: Share | null }) {
  const { i18n } = useTranslation();
  const pct = (x: number) => formatPercent(x, i18n.language);
  if (!s || s.rate == null) return <>—</>;
  return <>{pct(s.rate)}<Interval low={s.ci_low} high={s.ci_high} fmt={pct} /> <span className="muted small">{s.k}/{s.n}</span></>;
}

/** What a published change did: cycle time and stop rates before and after, with
 * their 95% intervals, instead of the old advice about the removed or changed steps. */
export function VersionChange({ c, title: current }: { c: Change; title: (step: string) => string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  // a removed step is no longer in the current definition: its title from the version before
  const old = new Map(c.steps.map((s) => [s.step, normLang(lang) === "zh-CN" && s.title_zh ? s.title_zh : s.title]));
  const title = (step: string) => old.get(step) ?? current(step);
  const dur = (x: number) => formatDuration(x, lang);
  const side = (s: Side) => s;
  const before = t("dashboard.before", { version: c.from_version });
  const after = t("dashboard.after", { version: c.to_version });
  return (
    <li className="card change" data-testid="version-change" data-from={c.from_version} data-to={c.to_version}>
      <strong>{t("dashboard.changeTitle", { from: c.from_version, to: c.to_version })}</strong>
      <p className="small">
        {c.removed.length > 0 && <span>{t("dashboard.changeRemoved", { steps: c.removed.map(title).join(", ") })} </span>}
        {c.changed.length > 0 && <span>{t("dashboard.changeChanged", { steps: c.changed.map(title).join(", ") })}</span>}
      </p>
      <table className="table table-cards" data-testid="change-table">
        <thead><tr><th /><th className="num">{before}</th><th className="num">{after}</th></tr></thead>
        <tbody>
          <tr><th scope="row">{t("dashboard.requests")}</th><td data-label={before} className="num">{c.before.requests}</td>
            <td data-label={after} className="num">{c.after.requests}</td></tr>
          <tr data-testid="change-median"><th scope="row">{t("dashboard.medianCycle")}</th>
            {[side(c.before), side(c.after)].map((s, i) => (
              <td key={i} data-label={i ? after : before} className="num">{dur(s.median_cycle_s ?? NaN)}<Interval low={s.median_ci_low_s} high={s.median_ci_high_s} fmt={dur} /></td>
            ))}</tr>
          <tr><th scope="row">{t("dashboard.meanCycle")}</th><td data-label={before} className="num">{dur(c.before.mean_cycle_s ?? NaN)}</td>
            <td data-label={after} className="num">{dur(c.after.mean_cycle_s ?? NaN)}</td></tr>
          <tr data-testid="change-stopped"><th scope="row">{t("dashboard.stoppedRequests")}</th>
            <td data-label={before} className="num"><Rate s={c.before.stopped} /></td><td data-label={after} className="num"><Rate s={c.after.stopped} /></td></tr>
          {c.steps.map((s) => (
            <tr key={s.step}><th scope="row">{t("dashboard.stepStopRate", { step: title(s.step) })}</th>
              <td data-label={before} className="num"><Rate s={s.before} /></td>
              <td data-label={after} className="num">{s.after ? <Rate s={s.after} /> : t("dashboard.stepRemoved")}</td></tr>
          ))}
        </tbody>
      </table>
    </li>
  );
}
