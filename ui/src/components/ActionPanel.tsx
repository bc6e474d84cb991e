import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../api/client";
import type { DefinitionOut, InstanceOut, TaskOut, UserOut } from "../api/types";
import { useAuth } from "../auth";
import { localized, personName } from "../lib/localize";
import { useApi } from "../lib/useApi";
import { ProblemView, Spinner } from "./ProblemView";

type Mode = "decide" | "delegate" | "addSigner";

/** approve / reject / return / delegate / add signer, each with a comment. */
export function ActionPanel({ task, onDone }: { task: TaskOut; onDone: (action: string, inst: InstanceOut) => void }) {
  const { t, i18n } = useTranslation();
  const { people, user } = useAuth();
  const [comment, setComment] = useState("");
  const [mode, setMode] = useState<Mode>("decide");
  const [returnTo, setReturnTo] = useState(task.return_targets?.[0] ?? "initiator");
  const [who, setWho] = useState("");
  const [position, setPosition] = useState<"before" | "after">("after");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const users = useApi<UserOut[]>(mode === "decide" ? null : "/users");
  const earlier = (task.return_targets ?? []).some((x) => x !== "initiator");
  const defn = useApi<DefinitionOut>(earlier ? `/definitions/${encodeURIComponent(task.definition)}` : null);
  const stepTitle = (id: string) =>
    localized(defn.data?.nodes.find((n) => n.id === id), "title", i18n.language) || id;

  async function run(action: string, path: string, body: Record<string, unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      const inst = await api<InstanceOut>(`/tasks/${task.id}/${path}`, { body: { ...body, comment: comment || undefined } });
      onDone(action, inst);
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    } finally {
      setBusy(false);
    }
  }
  const has = (a: string) => task.actions.includes(a);
  const targets = task.return_targets ?? ["initiator"];
  const others = (users.data ?? []).filter((u) => u.username !== user?.username);

  return (
    <section className="card action-panel" aria-label={t("task.decide")}>
      <h3>{t("task.decide")}</h3>
      <textarea name="comment" rows={2} placeholder={t("common.commentPlaceholder")} value={comment}
        onChange={(e) => setComment(e.target.value)} />
      {mode === "decide" && (
        <div className="row wrap gap-sm">
          {has("approve") && <button type="button" className="btn btn-primary" disabled={busy}
            onClick={() => void run("approve", "approve", {})}>{t("actions.approve")}</button>}
          {has("reject") && <button type="button" className="btn btn-danger" disabled={busy}
            onClick={() => void run("reject", "reject", {})}>{t("actions.reject")}</button>}
          {has("return") && (
            <span className="row gap-sm">
              <button type="button" className="btn" disabled={busy}
                onClick={() => void run("return", "return", { to: returnTo })}>{t("actions.return")}</button>
              {(targets.length > 1 || earlier) && (
                <select aria-label={t("actions.returnTo")} value={returnTo} onChange={(e) => setReturnTo(e.target.value)}>
                  {targets.map((x) => <option key={x} value={x}>
                    {t("actions.returnTo")} {x === "initiator" ? t("actions.initiator") : stepTitle(x)}
                  </option>)}
                </select>
              )}
            </span>
          )}
          <button type="button" className="btn btn-link" onClick={() => setMode("delegate")}>{t("actions.delegate")}</button>
          <button type="button" className="btn btn-link" onClick={() => setMode("addSigner")}>{t("actions.addSigner")}</button>
        </div>
      )}
      {mode !== "decide" && (
        <div className="row wrap gap-sm">
          {users.loading && <Spinner />}
          <select aria-label={t("actions.pickUser")} value={who} onChange={(e) => setWho(e.target.value)}>
            <option value="">{t("actions.pickUser")}</option>
            {others.map((u) => <option key={u.username} value={u.username}>{localized(u, "name", i18n.language) || u.username} ({u.username})</option>)}
          </select>
          {mode === "addSigner" && (
            <select aria-label={t("actions.position")} value={position} onChange={(e) => setPosition(e.target.value as "before" | "after")}>
              <option value="before">{t("actions.before")}</option>
              <option value="after">{t("actions.after")}</option>
            </select>
          )}
          <button type="button" className="btn btn-primary" disabled={busy || !who}
            onClick={() => void (mode === "delegate"
              ? run("delegate", "delegate", { to: who })
              : run("addSigner", "add-signer", { user: who, position }))}>
            {mode === "delegate" ? t("actions.delegate") : t("actions.addSigner")}
            {who ? ` → ${personName(who, people, i18n.language)}` : ""}
          </button>
          <button type="button" className="btn btn-link" onClick={() => setMode("decide")}>{t("common.cancel")}</button>
        </div>
      )}
      {busy && <Spinner label={t("common.working")} />}
      {error && <ProblemView error={error} />}
    </section>
  );
}
