import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../api/client";
import type { DefinitionOut, DraftOut, WhatIfOut } from "../api/types";
import { formatDuration } from "../lib/format";
import { exactDuration, shownDifference } from "../lib/report";
import { ProblemView, Spinner } from "./ProblemView";

/** A unified diff, each line marked as added, removed or context. */
function Diff({ text }: { text: string }) {
  return (
    <pre className="draft-diff" data-testid="draft-diff">
      {text.split("\n").map((line, i) => {
        const kind = line.startsWith("+++") || line.startsWith("---") ? "head"
          : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : "ctx";
        return <div key={i} className={`draft-diff-${kind}`}>{line || " "}</div>;
      })}
    </pre>
  );
}

/** "Apply" a removal candidate: a draft version without the step, its YAML diff, the
 * what-if replayed through the draft, and publishing it through the normal path
 * (POST /definitions, owners only). Nothing is stored until the owner publishes. */
export function ApplyDraft({ processKey, step, onPublished }: { processKey: string; step: string; onPublished: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [draft, setDraft] = useState<DraftOut>();
  const [replay, setReplay] = useState<WhatIfOut>();
  const [published, setPublished] = useState<number>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  async function run<T>(f: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(undefined);
    try {
      return await f();
    } catch (e) {
      if (e instanceof ApiError) setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  const base = `/analytics/${encodeURIComponent(processKey)}`;
  async function apply() {
    const d = await run(() => api<DraftOut>(`${base}/draft`, { body: { remove: step } }));
    if (!d) return;
    setDraft(d);
    setReplay(await run(() => api<WhatIfOut>(`${base}/what-if`, { body: { yaml: d.yaml } })));
  }
  async function publish() {
    if (!draft) return;
    const out = await run(() => api<DefinitionOut>("/definitions", { body: { yaml: draft.yaml } }));
    if (out) {
      setPublished(out.version);
      onPublished();
    }
  }
  const fmt = (x: number | null | undefined) => exactDuration(x, lang, formatDuration);
  return (
    <div className="apply" data-testid="apply">
      {!draft && <button type="button" className="btn" disabled={busy} onClick={() => void apply()}>{t("dashboard.apply")}</button>}
      {busy && <Spinner label={t("common.working")} />}
      {error && <ProblemView error={error} />}
      {draft && (
        <div className="stack">
          <p className="small">{t("dashboard.draftIntro", { version: draft.base_version })}</p>
          <Diff text={draft.diff} />
          {replay && (
            <p className="small" data-testid="draft-replay">{t("dashboard.draftReplay", {
              before: fmt(replay.baseline.mean_cycle_s), after: fmt(replay.scenario.mean_cycle_s),
              saved: fmt(shownDifference(replay.baseline.mean_cycle_s, replay.scenario.mean_cycle_s, replay.cycle_time_saved_seconds)),
              lost: replay.lost_rejections.length })}</p>
          )}
          {published == null ? (
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void publish()}>
              {t("dashboard.publishDraft", { version: draft.base_version + 1 })}</button>
          ) : <p className="small" data-testid="draft-published">{t("dashboard.draftPublished", { version: published })}</p>}
        </div>
      )}
    </div>
  );
}
