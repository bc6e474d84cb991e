import type { ErrorSchema } from "@rjsf/utils";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, ApiError } from "../api/client";
import type { DefinitionOut, DefinitionSummaryOut, InstanceOut } from "../api/types";
import { ProblemView, Spinner } from "../components/ProblemView";
import { RequestForm } from "../components/RequestForm";
import { localized } from "../lib/localize";
import { errorsToErrorSchema } from "../lib/problems";
import { useApi } from "../lib/useApi";

function ProcessPicker() {
  const { t, i18n } = useTranslation();
  const defs = useApi<DefinitionSummaryOut[]>("/definitions");
  return (
    <div className="page">
      <h1>{t("newRequest.title")}</h1>
      <p className="muted">{t("newRequest.pick")}</p>
      {defs.loading && <Spinner />}
      {defs.error && <ProblemView error={defs.error} onRetry={defs.reload} />}
      <div className="cards">
        {(defs.data ?? []).filter((d) => !d.retired_at).map((d) => (
          <Link key={d.key} to={`/new/${d.key}`} className="card card-link" data-key={d.key}>
            <strong>{localized(d, "title", i18n.language)}</strong>
            <span className="muted small">{localized(d, "description", i18n.language)}</span>
            <span className="btn btn-primary btn-sm">{t("newRequest.start")}</span>
          </Link>
        ))}
      </div>
    </div>
  );
}

/** The server's answer to a submit: one sentence when its errors sit on the fields. */
export function SubmitProblem({ error, onFields }: { error?: ApiError; onFields: boolean }) {
  const { t } = useTranslation();
  if (!error) return null;
  if (onFields) return <div className="problem" role="alert"><strong>{t("errors.fieldErrors")}</strong></div>;
  return <ProblemView error={error} />;
}

/** Submit a request; a 422 from the server lands on the fields it names. */
export function useSubmitForm(send: (data: Record<string, unknown>) => Promise<InstanceOut>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [extraErrors, setExtraErrors] = useState<ErrorSchema>();
  async function submit(data: Record<string, unknown>): Promise<InstanceOut | undefined> {
    setBusy(true);
    setError(undefined);
    setExtraErrors(undefined);
    try {
      return await send(data);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      setError(e);
      if (e.problem.errors?.length) setExtraErrors(errorsToErrorSchema(e.problem.errors));
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, extraErrors, submit, clearExtra: () => setExtraErrors(undefined) };
}

function FillForm({ keyName }: { keyName: string }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const defn = useApi<DefinitionOut>(`/definitions/${encodeURIComponent(keyName)}`);
  const [data, setData] = useState<Record<string, unknown>>({});
  const form = useSubmitForm((d) => api<InstanceOut>("/instances", { body: { definition: keyName, data: d } }));

  if (defn.loading) return <Spinner />;
  if (defn.error) return <ProblemView error={defn.error} onRetry={defn.reload} />;
  if (!defn.data) return null;
  return (
    <div className="page narrow">
      <div className="page-head">
        <Link to="/new" className="back">← {t("newRequest.title")}</Link>
        <h1>{localized(defn.data, "title", i18n.language)}</h1>
      </div>
      {defn.data.description && <p className="muted">{localized(defn.data, "description", i18n.language)}</p>}
      <section className="card">
        <SubmitProblem error={form.error} onFields={!!form.error?.problem.errors?.some((e) => e.pointer !== undefined)} />
        <RequestForm schema={defn.data.form_schema} uiSchema={defn.data.ui_schema} data={data}
          extraErrors={form.extraErrors} disabled={form.busy}
          onChange={(d) => {
            setData(d);
            form.clearExtra();
          }}
          onSubmit={(d) => {
            void form.submit(d).then((inst) => inst && navigate(`/requests/${inst.id}`, { state: { created: true } }));
          }}>
          <div className="row gap-sm form-actions">
            <button type="submit" className="btn btn-primary" disabled={form.busy}>
              {form.busy ? t("common.working") : t("common.submit")}
            </button>
            {form.busy && <Spinner label={t("common.working")} />}
          </div>
        </RequestForm>
      </section>
    </div>
  );
}

export default function NewRequest() {
  const { key } = useParams();
  return key ? <FillForm key={key} keyName={key} /> : <ProcessPicker />;
}
