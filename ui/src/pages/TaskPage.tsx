import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router-dom";
import type { InstanceOut, TaskDetailOut } from "../api/types";
import { useAuth } from "../auth";
import { ActionPanel } from "../components/ActionPanel";
import { InstanceBody, InstanceHeader } from "../components/InstanceView";
import { ProblemView, Spinner } from "../components/ProblemView";
import { useLiveReload } from "../lib/userEvents";
import { useApi } from "../lib/useApi";

export default function TaskPage() {
  const { id = "" } = useParams();
  const { t } = useTranslation();
  const { user } = useAuth();
  const task = useApi<TaskDetailOut>(`/tasks/${encodeURIComponent(id)}`);
  // After an action the request is shown as the API returned it: a delegated task may no
  // longer be ours to view, so the page does not reload the task.
  const [done, setDone] = useState<{ action: string; inst: InstanceOut }>();
  useLiveReload(() => {
    if (!done) task.reload();
  }, ["inbox"]);

  if (done) {
    return (
      <div className="page">
        <div className="page-head"><Link to="/inbox" className="back">← {t("inbox.title")}</Link></div>
        <div className="notice notice-ok" role="status" data-testid="action-done">
          {t("actions.done", { action: t(`actions.${done.action}`) })} · <Link to="/inbox">{t("inbox.title")}</Link>
        </div>
        <InstanceHeader inst={done.inst} />
        <InstanceBody inst={done.inst} />
      </div>
    );
  }
  if (task.loading && !task.data) return <Spinner />;
  if (task.error) return <ProblemView error={task.error} onRetry={task.reload} />;
  if (!task.data) return null;
  const tk = task.data;
  const mine = tk.status === "pending" && tk.assignee === user?.username;
  return (
    <div className="page">
      <div className="page-head">
        <Link to="/inbox" className="back">← {t("inbox.title")}</Link>
        <h1>{tk.node_title ?? tk.node}</h1>
      </div>
      <InstanceHeader inst={tk.instance} />
      {mine && <ActionPanel task={tk} onDone={(action, inst) => setDone({ action, inst })} />}
      {!mine && <p className="notice">{t("task.notYours")}</p>}
      <InstanceBody inst={tk.instance} onChanged={task.reload} />
    </div>
  );
}
