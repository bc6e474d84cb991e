// The owner's editor: YAML with line numbers, completion and checks as you type (one
// plain error per mistake, in the reader's language), the draft's diagram drawn live,
// and publishing only after the diff against the published version and a confirmation.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../api/client";
import type { DefinitionOut, ValidationOut } from "../api/types";
import { useApi } from "../lib/useApi";
import { ConfirmModal } from "./ConfirmModal";
import MermaidDiagram from "./Mermaid";
import { ProblemView, Spinner } from "./ProblemView";
import { type Checked, DiffView, YamlEditor } from "./YamlEditor";

export default function DefinitionEditor({ initial, onPublished }: {
  initial: string;
  onPublished: (d: DefinitionOut) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const schema = useApi<object>("/definitions/schema");
  const [start, setStart] = useState({ text: initial, n: 0 });
  const [text, setText] = useState(initial);
  const [checked, setChecked] = useState<Checked>();
  const [jump, setJump] = useState<{ line: number; column: number; n: number }>();
  const [review, setReview] = useState<{ original: string | null; version: number | null }>();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [published, setPublished] = useState<number>();

  const result: ValidationOut | undefined = checked?.text === text ? checked.result : undefined;
  const stale = checked?.text !== text;
  const errors = result?.errors ?? [];
  const warnings = result?.warnings ?? [];

  async function openReview() {
    if (!result?.valid || !result.key) return;
    setError(undefined);
    if (result.published_version == null) {
      setReview({ original: null, version: null });
      return;
    }
    try {
      const current = await api<DefinitionOut>(`/definitions/${encodeURIComponent(result.key)}`);
      setReview({ original: current.yaml, version: current.version });
    } catch (e) {
      if (e instanceof ApiError) setError(e);
      else throw e;
    }
  }

  async function publish() {
    setConfirming(false);
    setBusy(true);
    setError(undefined);
    try {
      const d = await api<DefinitionOut>("/definitions", { rawBody: text, contentType: "text/yaml" });
      setPublished(d.version);
      setReview(undefined);
      onPublished(d);
    } catch (e) {
      if (e instanceof ApiError) setError(e);
      else throw e;
    } finally {
      setBusy(false);
    }
  }

  const nextVersion = (review?.version ?? 0) + 1;
  const unchanged = review?.original != null && review.original === text;
  return (
    <section className="card editor-card" aria-labelledby="editor-title">
      <h2 id="editor-title" className="h3">{t("editor.title")}</h2>
      <p className="muted small">{t("editor.hint")}</p>
      <label className="file-pick">{t("editor.chooseFile")}
        <input type="file" accept=".yaml,.yml,text/yaml" onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void f.text().then((s) => { setStart((p) => ({ text: s, n: p.n + 1 })); setText(s); });
        }} />
      </label>
      <div className="editor-grid">
        <div className="editor-main">
          {schema.loading ? <Spinner /> : (
            <YamlEditor key={start.n} initial={start.text} label={t("editor.label")} lang={lang}
              schema={schema.data} jump={jump}
              onChange={(s) => { setText(s); setReview(undefined); setPublished(undefined); }}
              onChecked={setChecked} />
          )}
        </div>
        <aside className="editor-side" aria-label={t("editor.draftDiagram")}>
          <div className="editor-status" role="status" aria-live="polite" data-testid="editor-status">
            {stale ? <span className="muted">{t("editor.checking")}</span>
              : checked?.error ? <ProblemView error={checked.error} />
              : result?.valid ? <span className="ok">✓ {t("editor.valid")}</span>
              : result ? <strong className="bad">{t("editor.problems", { count: errors.length })}</strong> : null}
          </div>
          {errors.length > 0 && (
            <ul className="line-errors" data-testid="yaml-errors">
              {errors.map((e, i) => (
                <li key={i}>
                  <button type="button" className="btn btn-link line-no"
                    onClick={() => setJump({ line: e.line ?? 1, column: e.column ?? 1, n: Date.now() })}>
                    {t("editor.line", { line: e.line ?? 1 })}
                  </button>{" "}
                  <span data-testid="yaml-error">{e.message}</span>
                </li>
              ))}
            </ul>
          )}
          {!stale && result && result.hidden > 0 && (
            <p className="muted small" data-testid="yaml-hidden">{t("editor.hidden", { count: result.hidden })}</p>
          )}
          {warnings.length > 0 && (
            <div className="notice" data-testid="yaml-warnings">
              <strong>{t("editor.warnings", { count: warnings.length })}</strong>
              <ul className="line-errors">
                {warnings.map((w, i) => (
                  <li key={i}><span className="line-no">{t("editor.line", { line: w.line ?? 1 })}</span>{" "}
                    {w.message}</li>
                ))}
              </ul>
            </div>
          )}
          <h3>{t("editor.draftDiagram")}</h3>
          <div data-testid="draft-diagram">
            {result?.mermaid ? <MermaidDiagram text={result.mermaid} />
              : <p className="muted small">{t("editor.noDiagram")}</p>}
          </div>
        </aside>
      </div>
      <div className="row gap-sm">
        <button type="button" className="btn btn-primary" disabled={!result?.valid || busy || stale}
          onClick={() => void openReview()}>{t("editor.review")}</button>
        {busy && <Spinner label={t("common.working")} />}
      </div>
      {published != null && <div className="notice notice-ok" role="status">{t("editor.published", { version: published })}</div>}
      {error && <ProblemView error={error} />}
      {review && (
        <section className="review" aria-labelledby="review-title" data-testid="review">
          <h3 id="review-title">{review.version == null ? t("editor.newProcess", { key: result?.key ?? "" })
            : t("editor.diffTitle", { version: review.version })}</h3>
          {unchanged ? <p className="muted">{t("editor.unchanged")}</p>
            : <DiffView original={review.original ?? ""} changed={text} label={t("editor.diffTitle", { version: review.version ?? 0 })} />}
          <div className="row gap-sm">
            <button type="button" className="btn btn-primary" disabled={unchanged || busy}
              onClick={() => setConfirming(true)}>{t("editor.publish")}</button>
            <button type="button" className="btn" onClick={() => setReview(undefined)}>{t("editor.cancel")}</button>
          </div>
        </section>
      )}
      <ConfirmModal open={confirming} confirmLabel={t("editor.publish")} cancelLabel={t("editor.cancel")}
        onConfirm={() => void publish()} onCancel={() => setConfirming(false)}>
        {t("editor.confirm", { version: nextVersion, key: result?.key ?? "" })}
      </ConfirmModal>
    </section>
  );
}
