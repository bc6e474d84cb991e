import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import type { DefinitionOut, InstanceOut } from "../api/types";
import { useAuth } from "../auth";
import { formatDateTime, formatDuration, secondsSince } from "../lib/format";
import { personName } from "../lib/localize";
import { useApi } from "../lib/useApi";
import { AttachmentsPanel, PrintButton } from "./Attachments";
import { StatusBadge } from "./Badges";
import { Spinner } from "./ProblemView";
import { DataTable, RequestForm } from "./RequestForm";
import { ServiceTracker } from "./ServiceTracker";
import { Timeline, VisitsTable } from "./Timeline";

const MermaidDiagram = lazy(() => import("./Mermaid"));

export function InstanceHeader({ inst }: { inst: InstanceOut }) {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  const running = inst.status === "running" || inst.status === "returned";
  return (
    <div className="card instance-head">
      <div className="row wrap gap">
        {inst.number && <span className="request-number" data-testid="request-number">{inst.number}</span>}
        <h2 className="grow">{inst.title || inst.definition_title || inst.definition}</h2>
        <StatusBadge status={inst.status} />
        <PrintButton />
      </div>
      <dl className="facts">
        <div><dt>{t("requests.process")}</dt><dd>{inst.definition_title ?? inst.definition} · v{inst.definition_version}</dd></div>
        <div><dt>{t("requests.initiator")}</dt><dd>{personName(inst.initiator, people, i18n.language)}</dd></div>
        {running && inst.current_node && (
          <div><dt>{t("task.currentStep")}</dt><dd>{inst.current_node_title ?? inst.current_node}</dd></div>
        )}
        {running && !!inst.holders?.length && (
          <div><dt>{t("task.holders")}</dt>
            <dd>{inst.holders.map((h) => personName(h, people, i18n.language)).join(", ")}</dd></div>
        )}
        {running && inst.since && (
          <div><dt>{t("task.since")}</dt>
            <dd>{formatDateTime(inst.since, i18n.language)} ({formatDuration(secondsSince(inst.since), i18n.language)})</dd></div>
        )}
        {inst.deadline && (
          <div><dt>{t("task.deadline")}</dt><dd>{formatDateTime(inst.deadline, i18n.language)}</dd></div>
        )}
        {running && inst.predicted_finish && (
          <div><dt>{t("task.predicted")}</dt>
            <dd>{t("task.predictedRange", {
              median: formatDateTime(inst.predicted_finish.median, i18n.language),
              p80: formatDateTime(inst.predicted_finish.p80, i18n.language),
            })}{inst.at_risk && <> <span className="badge badge-overdue">{t("task.atRisk")}</span></>}</dd></div>
        )}
        <div><dt>{t("requests.started")}</dt><dd>{formatDateTime(inst.started_at, i18n.language)}</dd></div>
        {inst.finished_at && (
          <div><dt>{t("requests.finishedAt")}</dt><dd>{formatDateTime(inst.finished_at, i18n.language)}</dd></div>
        )}
      </dl>
    </div>
  );
}

/** The request's data (read-only form), its timeline, steps and diagram. */
export function InstanceBody({ inst, hideForm, onChanged }: {
  inst: InstanceOut; hideForm?: boolean; onChanged?: () => void;
}) {
  const { t } = useTranslation();
  const defn = useApi<DefinitionOut>(
    `/definitions/${encodeURIComponent(inst.definition)}?version=${inst.definition_version ?? ""}`);
  const running = inst.status === "running" || inst.status === "returned";
  const diagram = inst.mermaid || defn.data?.mermaid;
  return (
    <>
      {!hideForm && <section className="card">
        <h3>{t("task.form")}</h3>
        {defn.loading && <Spinner />}
        {defn.data ? (
          <RequestForm schema={defn.data.form_schema} uiSchema={defn.data.ui_schema}
            data={inst.data} attachments={inst.attachments} readonly />
        ) : !defn.loading && <DataTable data={inst.data} />}
      </section>}
      <ServiceTracker inst={inst} />
      <AttachmentsPanel inst={inst} onChanged={onChanged} />
      <div className="two-col">
        <section className="card">
          <h3>{t("task.timeline")}</h3>
          <Timeline entries={inst.timeline} schema={defn.data?.form_schema} />
        </section>
        <section className="card no-print">
          <h3>{t("task.diagram")}</h3>
          {diagram ? (
            <Suspense fallback={<Spinner />}>
              <MermaidDiagram text={diagram} current={running ? inst.current_node : null} />
            </Suspense>
          ) : defn.loading ? <Spinner /> : <p className="muted">{t("common.noData")}</p>}
        </section>
      </div>
      {inst.visits.length > 0 && (
        <section className="card">
          <h3>{t("timeline.visits")}</h3>
          <VisitsTable visits={inst.visits} />
        </section>
      )}
    </>
  );
}
