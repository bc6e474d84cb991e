// The filter bar and the pager of long lists (inbox, my requests, all requests). Every
// choice goes to the page's URL, so a filtered list can be bookmarked and shared.
import { useTranslation } from "react-i18next";
import type { SetURLSearchParams } from "react-router-dom";
import type { DefinitionOut, DefinitionSummaryOut } from "../api/types";
import { downloadFile } from "../lib/download";
import { filtered, withFilter } from "../lib/lists";
import { localized } from "../lib/localize";
import { useApi } from "../lib/useApi";

const STATUSES = ["open", "running", "returned", "finished", "approved", "rejected", "withdrawn", "cancelled"];

export function ListFilters({ params, setParams, sorts, statuses = false, exportPath, exportName }: {
  params: URLSearchParams; setParams: SetURLSearchParams; sorts: readonly string[];
  statuses?: boolean; exportPath: string; exportName: string;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const definition = params.get("definition") ?? "";
  const defs = useApi<DefinitionSummaryOut[]>("/definitions");
  const defn = useApi<DefinitionOut>(definition ? `/definitions/${encodeURIComponent(definition)}` : null);
  const set = (key: string, value: string | null) => setParams(withFilter(params, key, value));
  const q = params.get("q") ?? "";
  return (
    <form className="filters list-filters" role="search" data-testid="list-filters"
      onSubmit={(e) => {
        e.preventDefault();
        const input = e.currentTarget.elements.namedItem("q") as HTMLInputElement | null;
        set("q", input?.value.trim() || null);
      }}>
      <label className="list-search">{t("lists.search")}
        {/* keyed by the URL's value: going back in history shows that search again */}
        <input key={q} type="search" name="q" defaultValue={q} placeholder={t("lists.searchHint")}
          onBlur={(e) => { if (e.target.value.trim() !== q) set("q", e.target.value.trim() || null); }} />
      </label>
      <label>{t("inbox.process")}
        <select name="definition" value={definition} onChange={(e) => set("definition", e.target.value)}>
          <option value="">{t("inbox.allProcesses")}</option>
          {(defs.data ?? []).map((d) => <option key={d.key} value={d.key}>{localized(d, "title", lang) || d.key}</option>)}
        </select>
      </label>
      <label>{t("inbox.step")}
        <select name="node" value={params.get("node") ?? ""} disabled={!definition}
          onChange={(e) => set("node", e.target.value)}>
          <option value="">{t("inbox.allSteps")}</option>
          {(defn.data?.nodes ?? []).filter((n) => n.kind === "approval").map((n) => (
            <option key={n.id} value={n.id}>{localized(n, "title", lang) || n.id}</option>
          ))}
        </select>
      </label>
      {statuses && (
        <label>{t("requests.status")}
          <select name="status" value={params.get("status") ?? ""} onChange={(e) => set("status", e.target.value)}>
            <option value="">{t("lists.anyStatus")}</option>
            {STATUSES.map((s) => <option key={s} value={s}>{t(`lists.status_${s}`)}</option>)}
          </select>
        </label>
      )}
      <label>{t("lists.from")}
        <input type="date" name="from" value={params.get("from") ?? ""} max={params.get("to") ?? undefined}
          onChange={(e) => set("from", e.target.value)} />
      </label>
      <label>{t("lists.to")}
        <input type="date" name="to" value={params.get("to") ?? ""} min={params.get("from") ?? undefined}
          onChange={(e) => set("to", e.target.value)} />
      </label>
      <label>{t("lists.sort")}
        <select name="sort" value={params.get("sort") ?? sorts[0]} onChange={(e) => set("sort", e.target.value)}>
          {sorts.map((s) => <option key={s} value={s}>{t(`lists.sort_${s.replace("-", "desc_")}`)}</option>)}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" name="overdue" checked={params.get("overdue") === "true"}
          onChange={(e) => set("overdue", e.target.checked ? "true" : null)} />
        {t("lists.overdueOnly")}
      </label>
      <div className="row wrap gap-sm list-actions">
        {filtered(params) && (
          <button type="button" className="btn btn-link" onClick={() => {
            const next = new URLSearchParams();
            for (const keep of ["scope", "sort"]) {
              const v = params.get(keep);
              if (v) next.set(keep, v);
            }
            setParams(next);
          }}>{t("lists.clear")}</button>
        )}
        <button type="button" className="btn btn-link"
          onClick={() => void downloadFile(exportPath, exportName)}>{t("requests.export")}</button>
      </div>
    </form>
  );
}

export function Pager({ offset, size, total, exact, count, onPage }: {
  offset: number; size: number; total: number; exact: boolean; count: number;
  onPage: (offset: number) => void;
}) {
  const { t } = useTranslation();
  if (total <= size && offset === 0) return null;
  const last = offset + count;
  return (
    <nav className="row wrap gap-sm pager" aria-label={t("lists.pages")}>
      <button type="button" className="btn" disabled={offset === 0}
        onClick={() => onPage(Math.max(0, offset - size))}>{t("board.previous")}</button>
      <span className="muted small" data-testid="list-page">
        {t(exact ? "lists.page" : "lists.pageAbout", { from: count ? offset + 1 : 0, to: last, total })}
      </span>
      <button type="button" className="btn" disabled={last >= total || count < size}
        onClick={() => onPage(offset + size)}>{t("board.next")}</button>
    </nav>
  );
}
