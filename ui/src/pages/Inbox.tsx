import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router-dom";
import { api, ApiError } from "../api/client";
import type { BulkOut, BulkResultOut, DefinitionOut, DefinitionSummaryOut, TaskPage } from "../api/types";
import { useAuth } from "../auth";
import { DueBadge } from "../components/Badges";
import { ProblemView, Spinner } from "../components/ProblemView";
import { formatDateTime, formatDuration, secondsSince } from "../lib/format";
import { bulkApprovable, pruneSelection, summarizeBulk, tasksQuery } from "../lib/inbox";
import { localized, personName } from "../lib/localize";
import { useLiveReload } from "../lib/userEvents";
import { useApi } from "../lib/useApi";

export default function Inbox() {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  const [params, setParams] = useSearchParams();
  const definition = params.get("definition") ?? "";
  const node = params.get("node") ?? "";
  const tasks = useApi<TaskPage>(tasksQuery(definition, node));
  useLiveReload(tasks.reload, ["inbox"]); // a task came or went: no reload needed
  const defs = useApi<DefinitionSummaryOut[]>("/definitions");
  const defn = useApi<DefinitionOut>(definition ? `/definitions/${encodeURIComponent(definition)}` : null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [bulkError, setBulkError] = useState<ApiError>();
  const [bulkDone, setBulkDone] = useState<{ ok: number; failed: BulkResultOut[] }>();

  const items = useMemo(() => tasks.data?.items ?? [], [tasks.data]);
  const approvable = useMemo(() => bulkApprovable(items), [items]);
  useEffect(() => setSelected((s) => pruneSelection(s, items)), [items]);

  function setFilter(key: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key === "definition") next.delete("node");
    setParams(next, { replace: true });
  }
  function toggle(id: string) {
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }
  const allSelected = approvable.length > 0 && approvable.every((x) => selected.has(x.id));

  async function bulkApprove() {
    setBusy(true);
    setBulkError(undefined);
    setBulkDone(undefined);
    try {
      const out = await api<BulkOut>("/tasks/bulk-approve",
        { body: { task_ids: [...selected], comment: comment || undefined } });
      setBulkDone(summarizeBulk(out.results));
      setSelected(new Set());
      setComment("");
      tasks.reload();
    } catch (e) {
      if (e instanceof ApiError) setBulkError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t("inbox.title")}</h1>
        {tasks.data && <span className="muted">{t("inbox.total", { count: tasks.data.total })}</span>}
      </div>
      <div className="filters">
        <label>{t("inbox.process")}
          <select name="definition" value={definition} onChange={(e) => setFilter("definition", e.target.value)}>
            <option value="">{t("inbox.allProcesses")}</option>
            {(defs.data ?? []).map((d) => <option key={d.key} value={d.key}>{localized(d, "title", i18n.language)}</option>)}
          </select>
        </label>
        <label>{t("inbox.step")}
          <select name="node" value={node} disabled={!definition} onChange={(e) => setFilter("node", e.target.value)}>
            <option value="">{t("inbox.allSteps")}</option>
            {(defn.data?.nodes ?? []).filter((n) => n.kind === "approval").map((n) => (
              <option key={n.id} value={n.id}>{localized(n, "title", i18n.language) || n.id}</option>
            ))}
          </select>
        </label>
      </div>

      {approvable.length > 0 && (
        <div className="bulk-bar">
          <label className="check">
            <input type="checkbox" checked={allSelected} aria-label={t("inbox.selectAll")}
              onChange={() => setSelected(allSelected ? new Set() : new Set(approvable.map((x) => x.id)))} />
            {t("inbox.selectAll")}
          </label>
          {selected.size > 0 && (
            <>
              <input className="grow" name="bulk-comment" placeholder={t("common.commentPlaceholder")}
                value={comment} onChange={(e) => setComment(e.target.value)} />
              <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void bulkApprove()}>
                {busy ? t("common.working") : t("inbox.bulkApprove", { count: selected.size })}
              </button>
            </>
          )}
        </div>
      )}
      {busy && <Spinner label={t("common.working")} />}
      {bulkError && <ProblemView error={bulkError} />}
      {bulkDone && (
        <div className={bulkDone.failed.length ? "notice notice-warn" : "notice notice-ok"} role="status" data-testid="bulk-result">
          {t("inbox.bulkResult", { ok: bulkDone.ok, failed: bulkDone.failed.length })}
          {bulkDone.failed.length > 0 && (
            <ul>{bulkDone.failed.map((f) => <li key={f.task_id}>{f.detail ?? f.status}</li>)}</ul>
          )}
        </div>
      )}

      {tasks.loading && !tasks.data && <Spinner />}
      {tasks.error && <ProblemView error={tasks.error} onRetry={tasks.reload} />}
      {tasks.data && items.length === 0 && <p className="empty">{t("inbox.empty")}</p>}
      <ul className="task-list">
        {items.map((task) => (
          <li key={task.id} className={`task-card${task.overdue ? " is-overdue" : task.due_soon ? " is-due-soon" : ""}`}
            data-testid="task">
            {approvable.includes(task) && (
              <input type="checkbox" className="task-check" checked={selected.has(task.id)}
                aria-label={task.instance_title ?? task.id} onChange={() => toggle(task.id)} />
            )}
            <Link to={`/tasks/${task.id}`} className="task-link">
              <div className="row wrap gap-sm">
                <strong className="grow">{task.instance_title || task.definition_title || task.definition}</strong>
                <DueBadge overdue={task.overdue} dueSoon={task.due_soon} />
              </div>
              <div className="muted small row wrap gap-sm">
                <span>{task.definition_title ?? task.definition}</span>
                <span>· {task.node_title ?? task.node}</span>
                <span>· {t("inbox.from", { name: personName(task.initiator, people, i18n.language) })}</span>
              </div>
              <div className="muted small row wrap gap-sm">
                <span>{t("inbox.waitingFor", { duration: formatDuration(secondsSince(task.created_at), i18n.language) })}</span>
                {task.due_at && <span>· {t("inbox.due", { when: formatDateTime(task.due_at, i18n.language) })}</span>}
              </div>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
