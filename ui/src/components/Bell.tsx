// The notification bell of the top bar: the unread count (live over /api/events), the
// latest notifications in a panel, mark one or all read.
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import { api } from "../api/client";
import type { MarkReadOut, NotificationOut } from "../api/types";
import { useAuth } from "../auth";
import { formatDateTime } from "../lib/format";
import { useUserEvents } from "../lib/userEvents";
import { badge, describe, target } from "../lib/notifications";
import "./notify.css";

const LATEST = 20;

export function Bell() {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<NotificationOut[]>();
  const [failed, setFailed] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  const load = useCallback(() => {
    api<NotificationOut[]>(`/notifications?limit=${LATEST}`)
      .then((list) => {
        setItems(list);
        setFailed(false);
      })
      .catch(() => setFailed(true));
  }, []);

  useUserEvents((e) => {
    if (e.kind !== "notification") return;
    setUnread(e.unread);
    if (open) load();
  });
  useEffect(() => {
    if (open) load();
  }, [open, load]);
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", away);
    document.addEventListener("keydown", away);
    return () => {
      document.removeEventListener("mousedown", away);
      document.removeEventListener("keydown", away);
    };
  }, [open]);

  async function markRead(body: { ids?: string[]; all?: boolean }) {
    const out = await api<MarkReadOut>("/notifications/read", { body });
    setUnread(out.unread);
    const now = new Date().toISOString();
    setItems((list) => list?.map((n) => (body.all || body.ids?.includes(n.id)) ? { ...n, read_at: n.read_at ?? now } : n));
  }

  const label = unread ? t("bell.unread", { count: unread }) : t("bell.title");
  return (
    <div className="bell" ref={box}>
      <button type="button" className={`bell-button${unread ? " has-unread" : ""}`} aria-label={label}
        title={label} aria-expanded={open} data-testid="bell" onClick={() => setOpen((o) => !o)}>
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
        </svg>
        {unread > 0 && <span className="bell-count" data-testid="bell-count">{badge(unread)}</span>}
      </button>
      {open && (
        <div className="bell-panel" role="dialog" aria-label={t("bell.title")} data-testid="bell-panel">
          <div className="bell-head">
            <strong>{t("bell.title")}</strong>
            <button type="button" className="btn btn-link" disabled={!unread}
              onClick={() => void markRead({ all: true })}>{t("bell.markAll")}</button>
          </div>
          {failed && <p className="muted small">{t("errors.network")}</p>}
          {items && items.length === 0 && <p className="muted bell-empty">{t("bell.empty")}</p>}
          <ul className="bell-list">
            {items?.map((n) => {
              const d = describe(n, people, i18n.language);
              return (
                <li key={n.id} className={n.read_at ? "is-read" : "is-unread"} data-kind={n.kind}>
                  <Link to={target(n)} onClick={() => {
                    if (!n.read_at) void markRead({ ids: [n.id] });
                    setOpen(false);
                  }}>
                    <span>{t(d.key, d.values)}</span>
                    {(n.kind === "returned" || n.kind === "rejected") && typeof n.payload?.reason === "string" && n.payload.reason
                      && <q className="bell-reason small" data-testid="bell-reason">{n.payload.reason}</q>}
                    <span className="muted small">{formatDateTime(n.created_at, i18n.language)}</span>
                  </Link>
                  {!n.read_at && <button type="button" className="btn btn-link small" aria-label={t("bell.markRead")}
                    title={t("bell.markRead")} onClick={() => void markRead({ ids: [n.id] })}>✓</button>}
                </li>
              );
            })}
          </ul>
          <div className="bell-foot"><Link to="/settings" onClick={() => setOpen(false)}>{t("bell.settings")}</Link></div>
        </div>
      )}
    </div>
  );
}
