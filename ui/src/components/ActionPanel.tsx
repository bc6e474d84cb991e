import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../api/client";
import type { DefinitionOut, InstanceOut, TaskOut, UserOut } from "../api/types";
import { useAuth } from "../auth";
import { localized, personName } from "../lib/localize";
import { useApi } from "../lib/useApi";
import { ProblemView, Spinner } from "./ProblemView";

type Mode = "decide" | "delegate" | "addSigner";
type Ending = "reject" | "return";

/**
 * The confirmation before a reject or a return, with the reason the requester will read
 * (required unless the step says `reason: optional`). A modal <dialog>: focus stays in
 * it and Escape cancels.
 */
function ConfirmDecision({ action, required, target, initial, busy, error, onConfirm, onCancel }: {
  action: Ending; required: boolean; target: string; initial: string; busy: boolean;
  error?: ApiError; onConfirm: (reason: string) => void; onCancel: () => void;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState(initial);
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  const serverSays = error?.problem.errors?.find((e) => e.pointer === "/comment");
  return (
    <dialog ref={ref} className="confirm-dialog" aria-labelledby="confirm-title" data-testid={`confirm-${action}`}
      onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <form method="dialog" noValidate onSubmit={(e) => {
        e.preventDefault();
        if (required && !reason.trim()) {
          setMissing(true);
          return;
        }
        onConfirm(reason.trim());
      }}>
        <h3 id="confirm-title">{t(`decision.confirm_${action}`)}</h3>
        <p>{t(`decision.confirmText_${action}`, { to: target })}</p>
        <label htmlFor="decision-reason">{t(required ? "decision.reasonRequired" : "decision.reasonOptional")}</label>
        <textarea id="decision-reason" name="reason" rows={4} value={reason} autoFocus required={required}
          aria-invalid={missing || !!serverSays} aria-describedby="decision-reason-hint"
          onChange={(e) => { setReason(e.target.value); setMissing(false); }} />
        <p id="decision-reason-hint" className={missing || serverSays ? "field-error" : "muted small"}>
          {missing || serverSays ? t("decision.needReason") : t(`decision.reasonHint_${action}`)}
        </p>
        {error && !serverSays && <ProblemView error={error} />}
        <div className="row gap-sm">
          <button type="submit" className={action === "reject" ? "btn btn-danger" : "btn btn-primary"} disabled={busy}>
            {t(`decision.confirmButton_${action}`)}
          </button>
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>{t("common.cancel")}</button>
          {busy && <Spinner label={t("common.working")} />}
        </div>
      </form>
    </dialog>
  );
}

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
  const [confirming, setConfirming] = useState<Ending>();
  const users = useApi<UserOut[]>(mode === "decide" ? null : "/users");
  const earlier = (task.return_targets ?? []).some((x) => x !== "initiator");
  const defn = useApi<DefinitionOut>(earlier ? `/definitions/${encodeURIComponent(task.definition)}` : null);
  const stepTitle = (id: string) =>
    localized(defn.data?.nodes.find((n) => n.id === id), "title", i18n.language) || id;

  async function run(action: string, path: string, body: Record<string, unknown>, said: string = comment) {
    setBusy(true);
    setError(undefined);
    try {
      // the whole request, shown once the decision is made (approve answers compactly by default)
      const inst = await api<InstanceOut>(`/tasks/${task.id}/${path}?view=full`, { body: { ...body, comment: said || undefined } });
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
            onClick={() => { setError(undefined); setConfirming("reject"); }}>{t("actions.reject")}</button>}
          {has("return") && (
            <span className="row gap-sm">
              <button type="button" className="btn" disabled={busy}
                onClick={() => { setError(undefined); setConfirming("return"); }}>{t("actions.return")}</button>
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
            {others.map((u) => <option key={u.username} value={u.username}>{localized(u, "name", i18n.language) || u.username}</option>)}
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
      {confirming && (
        <ConfirmDecision action={confirming} busy={busy} error={error} initial={comment}
          required={(task.reason_required ?? ["reject", "return"]).includes(confirming)}
          target={returnTo === "initiator" ? t("actions.initiator") : stepTitle(returnTo)}
          onCancel={() => { setConfirming(undefined); setError(undefined); }}
          onConfirm={(reason) => {
            setComment(reason);
            void run(confirming, confirming, confirming === "return" ? { to: returnTo } : {}, reason);
          }} />
      )}
      {busy && !confirming && <Spinner label={t("common.working")} />}
      {error && !confirming && <ProblemView error={error} />}
    </section>
  );
}
