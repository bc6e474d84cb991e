import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useParams } from "react-router-dom";
import { api, ApiError } from "../api/client";
import type { DefinitionOut, InstanceOut } from "../api/types";
import { InstanceBody, InstanceHeader } from "../components/InstanceView";
import { ProblemView, Spinner } from "../components/ProblemView";
import { RequestForm } from "../components/RequestForm";
import { localToday } from "../lib/formRules";
import { useLiveReload } from "../lib/userEvents";
import { useApi } from "../lib/useApi";
import { SubmitProblem, useSubmitForm } from "./NewRequest";

function Resubmit({ inst, onDone }: { inst: InstanceOut; onDone: () => void }) {
  const { t } = useTranslation();
  const defn = useApi<DefinitionOut>(`/definitions/${encodeURIComponent(inst.definition)}?version=${inst.definition_version ?? ""}`);
  const [data, setData] = useState(inst.data);
  const form = useSubmitForm((d) => api<InstanceOut>(`/instances/${inst.id}/resubmit`, { body: { data: d } }));
  const lastReturn = [...inst.timeline].reverse().find((e) => e.kind === "instance_returned");
  if (defn.loading) return <Spinner />;
  if (defn.error) return <ProblemView error={defn.error} onRetry={defn.reload} />;
  if (!defn.data) return null;
  return (
    <section className="card">
      <div className="notice notice-warn">
        {t("requests.resubmitHint")}
        {lastReturn?.comment && <blockquote className="return-comment">{lastReturn.comment}</blockquote>}
      </div>
      <SubmitProblem error={form.error} onFields={!!form.error?.problem.errors?.some((e) => e.pointer !== undefined)} />
      <RequestForm schema={defn.data.form_schema} uiSchema={defn.data.ui_schema} data={data}
        extraErrors={form.extraErrors} disabled={form.busy} attachments={inst.attachments}
        filedOn={localToday(new Date(inst.started_at))}
        onChange={(d) => {
          setData(d);
          form.clearExtra();
        }}
        onSubmit={(d) => void form.submit(d).then((r) => r && onDone())}>
        <button type="submit" className="btn btn-primary" disabled={form.busy}>{t("actions.resubmit")}</button>
      </RequestForm>
    </section>
  );
}

export default function RequestPage() {
  const { id = "" } = useParams();
  const { t } = useTranslation();
  const location = useLocation();
  const created = (location.state as { created?: boolean } | null)?.created;
  const inst = useApi<InstanceOut>(`/instances/${encodeURIComponent(id)}`);
  useLiveReload(inst.reload); // returned, approved, now with someone: shown as it happens
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  async function withdraw() {
    if (!window.confirm(t("requests.withdrawConfirm"))) return;
    setBusy(true);
    setError(undefined);
    try {
      await api<InstanceOut>(`/instances/${id}/withdraw`, { body: {} });
      inst.reload();
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    } finally {
      setBusy(false);
    }
  }

  if (inst.loading && !inst.data) return <Spinner />;
  if (inst.error) return <ProblemView error={inst.error} onRetry={inst.reload} />;
  if (!inst.data) return null;
  const r = inst.data;
  return (
    <div className="page">
      <div className="page-head">
        <Link to="/requests" className="back">← {t("requests.title")}</Link>
      </div>
      {created && <div className="notice notice-ok" role="status">{t("newRequest.submitted")}</div>}
      <InstanceHeader inst={r} />
      {(r.can_withdraw || error) && (
        <div className="row gap-sm">
          {r.can_withdraw && <button type="button" className="btn btn-danger" disabled={busy}
            onClick={() => void withdraw()}>{t("actions.withdraw")}</button>}
          {busy && <Spinner label={t("common.working")} />}
        </div>
      )}
      {error && <ProblemView error={error} />}
      {r.can_resubmit && <Resubmit inst={r} onDone={inst.reload} />}
      <InstanceBody inst={r} hideForm={r.can_resubmit} onChanged={inst.reload} />
    </div>
  );
}
