import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router-dom";
import { api } from "../api/client";
import type { BoardPage, BoardRow, DefinitionSummaryOut } from "../api/types";
import { useAuth } from "../auth";
import { ProblemView, Spinner } from "../components/ProblemView";
import { downloadFile } from "../lib/download";
import { formatDateTime, formatDuration, secondsSince } from "../lib/format";
import { useLive } from "../lib/live";
import { localized, personName } from "../lib/localize";
import { useApi } from "../lib/useApi";

const PAGE = 25;
const SORTS = ["-started", "started", "since", "due", "deadline", "finish", "title"] as const;
const FILTERS = ["definition", "node", "holder", "field", "q", "at_risk", "overdue", "sort",
  "scope"] as const;

function query(params: URLSearchParams, offset: number | null): string {
  const out = new URLSearchParams();
  for (const key of FILTERS) {
    const value = params.get(key);
    if (value) out.set(key, value);
  }
  if (offset !== null) {
    out.set("limit", String(PAGE));
    out.set("offset", String(offset));
  }
  return out.toString();
}

function Row({ r, lang, now }: { r: BoardRow; lang: string; now: Date }) {
  const { t } = useTranslation();
  const { people } = useAuth();
  return (
    <tr data-testid="board-row" className={r.at_risk || r.overdue ? "flagged" : undefined}>
      <td data-label={t("board.request")}>{r.number && <span className="request-number">{r.number} </span>}<Link to={`/requests/${r.id}`}>{r.title || r.definition_title}</Link>
        <div className="muted small">{r.definition_title} · {personName(r.initiator, people, lang)}</div></td>
      <td data-label={t("board.step")} data-testid="board-step">{r.current_node_title ?? r.current_node ?? t(`status.${r.status}`)}</td>
      <td data-label={t("board.holder")}>{r.holders.map((h) => personName(h, people, lang)).join(", ") || "—"}</td>
      <td className="num" data-label={t("board.since")}>{r.since ? formatDuration(secondsSince(r.since, now), lang) : "—"}</td>
      <td className="num" data-label={t("board.due")}>{formatDateTime(r.due_at, lang) || "—"}</td>
      <td className="num" data-label={t("board.deadline")}>{formatDateTime(r.deadline_at, lang) || "—"}</td>
      <td className="num" data-label={t("board.predicted")} data-testid="board-predicted">
        {r.predicted_median
          ? t("board.range", { median: formatDateTime(r.predicted_median, lang),
            p80: formatDateTime(r.predicted_p80, lang) })
          : "—"}
      </td>
      <td data-label={t("board.attention")}>
        {r.at_risk && <span className="badge badge-due-soon" data-testid="badge-at-risk">{t("board.atRisk")}</span>}{r.at_risk && r.overdue && " "}
        {r.overdue && <span className="badge badge-overdue" data-testid="badge-overdue">{t("status.overdue")}</span>}
      </td>
    </tr>
  );
}

export default function Board() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  const offset = Number(params.get("offset") ?? 0) || 0;
  const page = useApi<BoardPage>(`/board?${query(params, offset)}`);
  const defs = useApi<DefinitionSummaryOut[]>("/definitions");
  const [busy, setBusy] = useState(false);
  const reload = page.reload;
  const live = useLive("/board/events", "board", useCallback(() => reload(), [reload]));
  const owner = !!user && (user.is_admin || user.is_process_owner);

  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete("offset");
    setParams(next);
  };
  const goTo = (n: number) => {
    const next = new URLSearchParams(params);
    next.set("offset", String(n));
    setParams(next);
  };
  const refresh = async () => {
    setBusy(true);
    try {
      await api("/board/refresh", { method: "POST" });
      reload();
    } finally {
      setBusy(false);
    }
  };
  const total = page.data?.total ?? 0;
  return (
    <div className="page">
      <h1>{t("board.title")}</h1>
      <form className="row wrap gap-sm board-filters" onSubmit={(e) => e.preventDefault()}>
        <label>{t("board.process")}{" "}
          <select aria-label={t("board.process")} value={params.get("definition") ?? ""}
            onChange={(e) => set("definition", e.target.value)}>
            <option value="">{t("common.all")}</option>
            {defs.data?.map((d) => <option key={d.key} value={d.key}>{localized(d, "title", lang) || d.key}</option>)}
          </select>
        </label>
        <input aria-label={t("board.step")} placeholder={t("board.step")} defaultValue={params.get("node") ?? ""}
          onBlur={(e) => set("node", e.target.value.trim())} />
        <input aria-label={t("board.holder")} placeholder={t("board.holder")} defaultValue={params.get("holder") ?? ""}
          onBlur={(e) => set("holder", e.target.value.trim())} />
        <input aria-label={t("board.field")} placeholder={t("board.fieldHint")} defaultValue={params.get("field") ?? ""}
          onBlur={(e) => set("field", e.target.value.trim())} />
        <input type="search" aria-label={t("board.search")} placeholder={t("board.search")}
          defaultValue={params.get("q") ?? ""}
          onKeyDown={(e) => { if (e.key === "Enter") set("q", e.currentTarget.value.trim()); }}
          onBlur={(e) => set("q", e.target.value.trim())} />
        <label><input type="checkbox" checked={params.get("at_risk") === "true"}
          onChange={(e) => set("at_risk", e.target.checked ? "true" : null)} /> {t("board.atRisk")}</label>
        <label><input type="checkbox" checked={params.get("overdue") === "true"}
          onChange={(e) => set("overdue", e.target.checked ? "true" : null)} /> {t("status.overdue")}</label>
        <label>{t("board.sort")}{" "}
          <select aria-label={t("board.sort")} value={params.get("sort") ?? "-started"}
            onChange={(e) => set("sort", e.target.value)}>
            {SORTS.map((s) => <option key={s} value={s}>{t(`board.sort_${s.replace("-", "desc_")}`)}</option>)}
          </select>
        </label>
      </form>
      <div className="row wrap gap-sm muted small">
        <span data-testid="board-total">{page.data && !page.data.total_exact
          ? t("lists.totalAbout", { count: total }) : t("board.total", { count: total })}</span>
        {page.data && <span data-testid="board-updated">· {t("board.updated", { time: formatDateTime(page.data.now, lang) })}</span>}
        <span>· {live === "stream" ? t("board.live") : t("board.polling")}</span>
        <button type="button" className="btn btn-link" onClick={() => void downloadFile(`/board.xlsx?${query(params, null)}`, "board.xlsx")}>
          {t("board.export")}</button>
        {owner && <button type="button" className="btn btn-link" disabled={busy} onClick={() => void refresh()}>
          {t("board.refresh")}</button>}
      </div>
      {page.loading && !page.data && <Spinner />}
      {page.error && <ProblemView error={page.error} onRetry={page.reload} />}
      {page.data && page.data.items.length === 0 && <p className="empty">{t("board.empty")}</p>}
      {page.data && page.data.items.length > 0 && (
        <div className="table-scroll">
          <table className="table table-cards" data-testid="board">
            <thead>
              <tr>
                <th>{t("board.request")}</th><th>{t("board.step")}</th><th>{t("board.holder")}</th>
                <th className="num">{t("board.since")}</th><th className="num">{t("board.due")}</th>
                <th className="num">{t("board.deadline")}</th><th className="num">{t("board.predicted")}</th><th>{t("board.attention")}</th>
              </tr>
            </thead>
            <tbody>{page.data.items.map((r) => <Row key={r.id} r={r} lang={lang} now={new Date(page.data!.now)} />)}</tbody>
          </table>
        </div>
      )}
      {total > PAGE && (
        <div className="row gap-sm">
          <button type="button" className="btn" disabled={offset === 0} onClick={() => goTo(Math.max(0, offset - PAGE))}>
            {t("board.previous")}</button>
          <span className="muted small" data-testid="board-page">{t("board.page", { from: offset + 1, to: Math.min(offset + PAGE, total), total })}</span>
          <button type="button" className="btn" disabled={offset + PAGE >= total} onClick={() => goTo(offset + PAGE)}>
            {t("board.next")}</button>
        </div>
      )}
    </div>
  );
}
