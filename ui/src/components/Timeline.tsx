import { useTranslation } from "react-i18next";
import type { TimelineOut, VisitOut } from "../api/types";
import { useAuth } from "../auth";
import { formatDateTime, formatDuration, formatPercent, formatValue } from "../lib/format";
import { fieldLabel, localizeSchema, specAt } from "../lib/formErrors";
import { personName } from "../lib/localize";
import { AttachmentEntry } from "./Attachments";

function entryLabel(e: TimelineOut, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (e.kind === "attachment_added") return t("attachments.attached");
  if (e.kind === "service_answered") {
    const status = t(`service.status_${e.action ?? "answer"}`, { defaultValue: (e.action ?? "").replace(/_/g, " ") });
    return t("timeline.kind_service_answered", { status });
  }
  if (e.kind === "service_timed_out") return t(`timeline.service_timed_out_${e.action === "route" ? "route" : "notify"}`);
  if (e.kind === "service_called") return t("timeline.kind_service_called");
  if (e.kind === "at_risk") return t(`timeline.at_risk_${e.action === "sla" ? "sla" : "deadline"}`);
  if (e.kind === "node_left" || e.kind === "instance_finished") {
    // These carry an outcome (approved, returned, withdrawn, ...) in `action`.
    const label = t(`timeline.kind_${e.kind}`);
    if (!e.action) return label;
    // "Step approved", "Request rejected": not "Left: Returned"
    const phrase = e.kind === "node_left" ? "left" : "finished";
    return t(`timeline.${phrase}_${e.action}`,
      { defaultValue: `${label}: ${t(`status.${e.action}`, { defaultValue: e.action.replace(/_/g, " ") })}` });
  }
  if (e.action) return t(`actions.${e.action}`, { defaultValue: e.action });
  return t(`timeline.kind_${e.kind}`, { defaultValue: e.kind.replace(/_/g, " ") });
}

/** Closed tasks carry a reason code (node_approved, ...) rather than a person's words. */
const REASON_CODE = /^[a-z]+(_[a-z]+)*$/;

/** A resubmission's changed fields: label, before, after (in the form's order). */
function Changes({ entry, schema }: { entry: TimelineOut; schema?: Record<string, unknown> }) {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  if (!entry.changes?.length) return null;
  const form = localizeSchema(schema ?? {}, i18n.language);
  const name = (u: string) => personName(u, people, i18n.language);
  const show = (field: string, v: unknown) =>
    formatValue(specAt(form, [field]), v, i18n.language, name, t("decision.empty"));
  return (
    <table className="table table-cards diff" data-testid="changes">
      <caption>{t("decision.changed")}</caption>
      <thead><tr><th>{t("decision.field")}</th><th>{t("decision.before")}</th><th>{t("decision.after")}</th></tr></thead>
      <tbody>
        {entry.changes.map((c) => (
          <tr key={c.field}>
            <th scope="row">{fieldLabel(form, [c.field], t)}</th>
            <td data-label={t("decision.before")}><del>{show(c.field, c.old)}</del></td>
            <td data-label={t("decision.after")}><ins>{show(c.field, c.new)}</ins></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Timeline({ entries, schema }: { entries: TimelineOut[]; schema?: Record<string, unknown> }) {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  return (
    <ol className="timeline">
      {entries.map((e, i) => (
        <li key={i} className={`tl-${e.action ?? e.kind}`}>
          <div className="tl-head">
            <strong>{entryLabel(e, t)}</strong>
            {e.node_title || e.node ? <span className="muted"> · {e.node_title ?? e.node}</span> : null}
          </div>
          <div className="tl-meta">
            {e.actor && <span>{e.actor === "system" ? t("timeline.system") : personName(e.actor, people, i18n.language)}</span>}
            <time dateTime={e.at}>{formatDateTime(e.at, i18n.language)}</time>
            {e.duration_seconds != null && (
              <span className="tl-duration">
                {t("timeline.took", { duration: formatDuration(e.duration_seconds, i18n.language) })}
              </span>
            )}
          </div>
          {e.kind === "at_risk" && (
            <div className="small tl-risk">
              {t(`timeline.at_risk_detail_${e.action === "sla" ? "sla" : "deadline"}`, {
                expected: formatDateTime(e.expected_at, i18n.language),
                limit: formatDateTime(e.limit_at, i18n.language),
              })}
              {e.chance != null && <> · {t("timeline.at_risk_chance", { chance: formatPercent(e.chance, i18n.language) })}</>}
              {e.to && <div className="muted">{t("timeline.told", {
                who: e.to.split(", ").map((u) => personName(u, people, i18n.language)).join(", "),
              })}</div>}
            </div>
          )}
          {e.action === "remind" && e.limit_at && (
            <div className="muted small">{t("timeline.remindDue", { when: formatDateTime(e.limit_at, i18n.language) })}</div>
          )}
          {e.attachment && <AttachmentEntry a={e.attachment} />}
          {e.comment && (e.kind === "task_cancelled" && REASON_CODE.test(e.comment)
            ? <div className="muted small">{t(`timeline.reason_${e.comment}`, { defaultValue: e.comment.replace(/_/g, " ") })}</div>
            : <blockquote>{e.comment}</blockquote>)}
          <Changes entry={e} schema={schema} />
        </li>
      ))}
    </ol>
  );
}

export function VisitsTable({ visits }: { visits: VisitOut[] }) {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  if (!visits.length) return null;
  return (
    <div className="table-scroll">
      <table className="table table-cards" data-testid="visits">
        <thead>
          <tr>
            <th>{t("timeline.step")}</th><th>{t("timeline.enteredAt")}</th>
            <th>{t("timeline.decidedBy")}</th><th>{t("timeline.outcome")}</th>
            <th className="num">{t("timeline.duration")}</th>
          </tr>
        </thead>
        <tbody>
          {visits.map((v, i) => (
            <tr key={i}>
              <td data-label={t("timeline.step")}>{v.node_title ?? v.node}</td>
              <td data-label={t("timeline.enteredAt")}>{formatDateTime(v.entered_at, i18n.language)}</td>
              <td data-label={t("timeline.decidedBy")}>{personName(v.decided_by, people, i18n.language)}</td>
              <td data-label={t("timeline.outcome")}>{v.outcome ? t(`status.${v.outcome}`, { defaultValue: v.outcome.replace(/_/g, " ") })
                : <span className="muted">{t("timeline.stillOpen")}</span>}</td>
              <td data-label={t("timeline.duration")} className="num">{formatDuration(v.duration_seconds, i18n.language)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
