import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router-dom";
import { api, ApiError } from "../api/client";
import type { BulkOut, BulkResultOut, InstancePage, TaskPage } from "../api/types";
import { useAuth } from "../auth";
import { DueBadge } from "../components/Badges";
import { ListFilters, Pager } from "../components/ListControls";
import { ProblemView, Spinner } from "../components/ProblemView";
import { formatDateTime, formatDuration, secondsSince } from "../lib/format";
import { bulkApprovable, pruneSelection, summarizeBulk } from "../lib/inbox";
import { listQuery, offsetOf, PAGE_SIZE, TASK_SORTS } from "../lib/lists";
import { personName } from "../lib/localize";
import { useLiveReload } from "../lib/userEvents";
import { useApi } from "../lib/useApi";

export default function Inbox() {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  const [params, setParams] = useSearchParams();
  const offset = offsetOf(params);
  const tasks = useApi<TaskPage>(`/tasks?${listQuery(params, {}, { offset, limit: PAGE_SIZE })}`);
  useLiveReload(tasks.reload, ["inbox"]); // a task came or went: no reload needed
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [bulkError, setBulkError] = useState<ApiError>();
  const [bulkDone, setBulkDone] = useState<{ ok: number; failed: BulkResultOut[] }>();

  const items = useMemo(() => tasks.data?.items ?? [], [tasks.data]);
  const approvable = useMemo(() => bulkApprovable(items), [items]);
  useEffect(() => setSelected((s) => pruneSelection(s, items)), [items]);

  const goTo = (n: number) => {
    const next = new URLSearchParams(params);
    next.set("offset", String(n));
    setParams(next);
  };
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
        {tasks.data && <span className="muted" data-testid="list-total">
          {t(tasks.data.total_exact ? "inbox.total" : "lists.pendingAbout", { count: tasks.data.total })}</span>}
      </div>
      <ListFilters params={params} setParams={setParams} sorts={TASK_SORTS}
        exportPath={`/tasks.xlsx?${listQuery(params)}`} exportName="inbox.xlsx" />
      <ReturnedToMe />

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
              <label className="task-check-hit">
                <input type="checkbox" className="task-check" checked={selected.has(task.id)}
                  aria-label={task.instance_title ?? task.id} onChange={() => toggle(task.id)} />
              </label>
            )}
            <Link to={`/tasks/${task.id}`} className="task-link">
              <div className="row wrap gap-sm">
                {task.number && <span className="request-number" data-testid="request-number">{task.number}</span>}
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
      {tasks.data && <Pager offset={offset} size={PAGE_SIZE} total={tasks.data.total}
        exact={tasks.data.total_exact} count={items.length} onPage={goTo} />}
    </div>
  );
}

/** Requests returned to me: a to-do here (correct and resubmit, or withdraw). */
function ReturnedToMe() {
  const { t, i18n } = useTranslation();
  const returned = useApi<InstancePage>("/instances?scope=mine&status=returned&limit=20");
  useLiveReload(returned.reload, ["inbox"]);
  const items = returned.data?.items ?? [];
  if (!items.length) return null;
  return (
    <section className="returned-todo" aria-labelledby="returned-title" data-testid="returned-todo">
      <h2 id="returned-title">{t("lists.returnedTitle", { count: returned.data?.total ?? items.length })}</h2>
      <ul className="task-list">
        {items.map((r) => (
          <li key={r.id} className="task-card is-returned" data-testid="returned">
            <Link to={`/requests/${r.id}`} className="task-link">
              <div className="row wrap gap-sm">
                {r.number && <span className="request-number">{r.number}</span>}
                <strong className="grow">{r.title || r.definition_title}</strong>
                <span className="badge badge-returned">{t("status.returned")}</span>
              </div>
              <div className="muted small row wrap gap-sm">
                <span>{r.definition_title ?? r.definition}</span>
                {r.since && <span>· {t("lists.returnedSince", { when: formatDateTime(r.since, i18n.language) })}</span>}
                <span>· {t("lists.resubmitOrWithdraw")}</span>
              </div>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
