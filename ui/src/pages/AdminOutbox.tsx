// Administrators: the outbox (pending, sent, dead with the reason; retry a dead message;
// read a kept mail as its recipient will) and the channels' test message.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router-dom";
import { api, ApiError } from "../api/client";
import type { ChannelTestOut, ChannelsOut, OutboxOut, OutboxPageOut, RetryOut } from "../api/types";
import { useAuth } from "../auth";
import { ProblemView, Spinner } from "../components/ProblemView";
import { formatDateTime } from "../lib/format";
import { personName } from "../lib/localize";
import { useApi } from "../lib/useApi";

const STATUSES = ["pending", "sent", "dead"] as const;

function Message({ m, onRetry, busy }: { m: OutboxOut; onRetry: (id: string) => void; busy: boolean }) {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  return (
    <li className={`card outbox-item status-${m.status}`} data-kind={m.kind} data-testid="outbox-item">
      <div className="row gap wrap">
        <span className={`badge badge-${m.status}`}>{t(`outbox.status_${m.status}`)}</span>
        <span className="badge">{t(`settings.channel_${m.channel}`, { defaultValue: m.channel })}</span>
        <strong className="grow outbox-subject">{m.subject ?? t(`outbox.kind_${m.kind}`, { defaultValue: m.kind })}</strong>
        {m.status === "dead" && <button type="button" className="btn btn-sm" disabled={busy}
          onClick={() => onRetry(m.id)}>{t("outbox.retry")}</button>}
      </div>
      <div className="muted small">
        {t("outbox.to", { name: personName(m.recipient, people, i18n.language) })}
        {" · "}{formatDateTime(m.created_at, i18n.language)}
        {" · "}{t("outbox.attempts", { count: m.attempts })}
        {m.sent_at && <> · {t("outbox.sentAt", { when: formatDateTime(m.sent_at, i18n.language) })}</>}
        {m.status === "pending" && m.next_attempt_at && <> · {t("outbox.nextAt", { when: formatDateTime(m.next_attempt_at, i18n.language) })}</>}
      </div>
      {m.last_error && <p className="notice notice-warn small outbox-error">{m.last_error}</p>}
      {m.text && (
        <details>
          <summary>{t("outbox.read")}</summary>
          <pre className="outbox-text" data-testid="outbox-text">{m.text}</pre>
        </details>
      )}
    </li>
  );
}

export default function AdminOutbox() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  const status = (STATUSES as readonly string[]).includes(params.get("status") ?? "") ? params.get("status")! : "pending";
  const page = useApi<OutboxPageOut>(user?.is_admin ? `/admin/outbox?status=${status}&limit=100` : null);
  const channels = useApi<ChannelsOut>("/channels");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [note, setNote] = useState<string>();

  if (!user?.is_admin) return <div className="problem" role="alert"><strong>{t("errors.notPermitted")}</strong></div>;

  async function run(fn: () => Promise<string>) {
    setBusy(true);
    setError(undefined);
    setNote(undefined);
    try {
      setNote(await fn());
      page.reload();
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    } finally {
      setBusy(false);
    }
  }
  const retry = (ids?: string[]) => run(async () => {
    const out = await api<RetryOut>("/admin/outbox/retry", { body: ids ? { ids } : {} });
    return t("outbox.queued", { count: out.queued });
  });
  const test = () => run(async () => {
    const out = await api<ChannelTestOut>("/admin/channels/test", { body: {} });
    const kept = out.messages.filter((m) => !m.configured).map((m) => t(`settings.channel_${m.channel}`));
    return kept.length ? t("outbox.testKept", { channels: kept.join(", ") })
      : t("outbox.testQueued", { count: out.messages.length });
  });
  const counts = page.data?.counts ?? {};
  const outside = (channels.data?.configured ?? []).filter((c) => c !== "app");

  return (
    <div className="page">
      <div className="page-head"><h1>{t("outbox.title")}</h1>
        <Link to="/admin/audit" data-testid="audit-link">{t("outbox.audit")}</Link></div>
      <section className="card stack">
        <h2>{t("outbox.channels")}</h2>
        <p className="muted">
          {outside.length ? t("outbox.configured", { channels: outside.map((c) => t(`settings.channel_${c}`)).join(", ") })
            : t("outbox.noneConfigured")}
        </p>
        <div className="row gap wrap">
          <button type="button" className="btn btn-primary" disabled={busy} data-testid="send-test"
            onClick={() => void test()}>{t("outbox.sendTest")}</button>
          {busy && <Spinner label={t("common.working")} />}
          {note && <span role="status" data-testid="outbox-note">{note}</span>}
        </div>
        {error && <ProblemView error={error} />}
      </section>
      <div className="tabs" role="tablist">
        {STATUSES.map((s) => (
          <button key={s} type="button" role="tab" aria-selected={s === status} className={`tab${s === status ? " active" : ""}`}
            onClick={() => setParams({ status: s }, { replace: true })}>
            {t(`outbox.status_${s}`)} ({counts[s] ?? 0})
          </button>
        ))}
      </div>
      {status === "dead" && (counts.dead ?? 0) > 0 && (
        <button type="button" className="btn" disabled={busy} onClick={() => void retry()}>{t("outbox.retryAll")}</button>
      )}
      {page.loading && !page.data && <Spinner />}
      {page.error && <ProblemView error={page.error} onRetry={page.reload} />}
      {page.data && page.data.items.length === 0 && <p className="empty">{t("outbox.empty")}</p>}
      <ul className="outbox-list">
        {page.data?.items.map((m) => <Message key={m.id} m={m} busy={busy} onRetry={(id) => void retry([id])} />)}
      </ul>
    </div>
  );
}
