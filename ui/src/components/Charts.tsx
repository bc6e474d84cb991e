// Recharts, loaded only with the dashboard (React.lazy).
import { useTranslation } from "react-i18next";
import {
  Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis,
} from "recharts";
import { formatDuration } from "../lib/format";
import type { StepRow, TrendPoint } from "../lib/report";

const HOUR = 3600;

export function DurationChart({ steps, flagged }: { steps: Array<StepRow & { title: string }>; flagged: Set<string> }) {
  const { t, i18n } = useTranslation();
  const data = steps.filter((s) => s.median != null).map((s) => ({
    name: flagged.has(s.step) ? `⚑ ${s.title}` : s.title,
    median: (s.median ?? 0) / HOUR,
    p90: (s.p90 ?? 0) / HOUR,
  }));
  const height = Math.max(160, data.length * 44 + 60);
  return (
    <div className="chart" style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ left: 8, right: 16, top: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" unit="h" tick={{ fontSize: 12 }} />
          <YAxis type="category" dataKey="name" width={130} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(v) => formatDuration(Number(v) * HOUR, i18n.language)} />
          <Legend content={ChartLegend} />
          <Bar dataKey="median" name={t("dashboard.median")} fill="#2557a7" isAnimationActive={false} />
          <Bar dataKey="p90" name={t("dashboard.p90")} fill="#9db6e0" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** The chart's legend: a colour swatch and the series' name (in the UI's language; the
 * library's own legend labels each swatch "... legend icon" in English for readers). */
function ChartLegend({ payload }: { payload?: ReadonlyArray<{ value?: unknown; color?: string }> }) {
  return (
    <ul style={{ listStyle: "none", display: "flex", gap: 16, justifyContent: "center", margin: 0, padding: 0, fontSize: 12 }}>
      {payload?.map((p, i) => (
        <li key={i}>
          <span aria-hidden="true" style={{ display: "inline-block", width: 10, height: 10, marginRight: 4, background: p.color }} />
          {String(p.value ?? "")}
        </li>
      ))}
    </ul>
  );
}

export function TrendChart({ points }: { points: TrendPoint[] }) {
  const { t, i18n } = useTranslation();
  const data = points.map((p) => ({ month: p.month, median: p.median != null ? p.median / HOUR : null, cases: p.cases }));
  return (
    <div className="chart" style={{ height: 240 }}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ left: 0, right: 8, top: 8, bottom: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="month" tick={{ fontSize: 12 }} />
          <YAxis yAxisId="h" unit="h" tick={{ fontSize: 12 }} />
          <YAxis yAxisId="n" orientation="right" tick={{ fontSize: 12 }} />
          <Tooltip formatter={(v, name) => (name === t("dashboard.cycleTime")
            ? formatDuration(Number(v) * HOUR, i18n.language) : String(v))} />
          <Legend content={ChartLegend} />
          <Line yAxisId="h" dataKey="median" name={t("dashboard.cycleTime")} stroke="#2557a7" dot={false} isAnimationActive={false} />
          <Line yAxisId="n" dataKey="cases" name={t("dashboard.requests")} stroke="#c77700" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export default { DurationChart, TrendChart };
