import { useTranslation } from "react-i18next";
import type { InstanceOut } from "../api/types";
import { formatDateTime } from "../lib/format";

/** The usual path of a shipment, drawn as a tracker when a system reports these. */
const SHIPMENT = ["shipped", "in_transit", "arrived"];

type Service = NonNullable<InstanceOut["services"]>[number];

function statusWord(status: string, t: (k: string, o?: Record<string, unknown>) => string): string {
  return t(`service.status_${status}`, { defaultValue: status.replace(/_/g, " ") });
}

/** One call of a service step: where the outside system says it is (shipped, in transit,
 *  arrived), when it last said so, and whether the step still waits for it. */
function ServiceCard({ s }: { s: Service }) {
  const { t, i18n } = useTranslation();
  const updates = s.updates ?? [];
  const last = updates.length ? updates[updates.length - 1] : null;
  const reached = new Set(updates.map((u) => u.status).filter((x): x is string => !!x));
  const tracked = updates.every((u) => !u.status || SHIPMENT.includes(u.status));
  const tracking = [...updates].reverse().map((u) => u.data?.tracking_number).find((x) => !!x);
  return (
    <div className="service-card" data-testid="service-status" data-status={last?.status ?? ""}>
      <div className="row wrap gap">
        <strong className="grow">{s.step_title}</strong>
        <span className={`badge ${s.waiting ? "badge-running" : "badge-approved"}`}>
          {s.waiting ? t("service.waiting", { system: s.system }) : t("service.done")}
        </span>
        {s.timed_out_at && <span className="badge badge-overdue">{t("service.timedOut")}</span>}
      </div>
      {tracked ? (
        <ol className="tracker" aria-label={s.step_title}>
          {SHIPMENT.map((step) => (
            <li key={step} className={reached.has(step) ? "done" : ""}
              aria-current={last?.status === step ? "step" : undefined}>
              {statusWord(step, t)}
            </li>
          ))}
        </ol>
      ) : (
        <p data-testid="service-line">{last?.status ? statusWord(last.status, t) : t("service.waiting", { system: s.system })}</p>
      )}
      <dl className="facts">
        <div><dt>{t("service.sentAt")}</dt><dd>{formatDateTime(s.called_at, i18n.language)}</dd></div>
        {last && <div><dt>{t("service.updated")}</dt><dd>{formatDateTime(last.at, i18n.language)}</dd></div>}
        {!!tracking && <div><dt>{t("service.tracking")}</dt><dd>{String(tracking)}</dd></div>}
      </dl>
    </div>
  );
}

export function ServiceTracker({ inst }: { inst: InstanceOut }) {
  const { t } = useTranslation();
  const services = inst.services ?? [];
  if (!services.length) return null;
  return (
    <section className="card" data-testid="services">
      <h3>{t("service.title")}</h3>
      {services.map((s, i) => <ServiceCard key={i} s={s} />)}
    </section>
  );
}
