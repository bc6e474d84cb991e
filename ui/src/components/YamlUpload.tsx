import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../api/client";
import type { DefinitionOut, LineErrorOut, ValidationOut } from "../api/types";
import { errorsByLine } from "../lib/problems";
import { ProblemView, Spinner } from "./ProblemView";

/** Paste or pick a YAML definition, validate it, publish it; errors are listed by line. */
export function YamlUpload({ initial, onPublished }: { initial: string; onPublished: (d: DefinitionOut) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [lineErrors, setLineErrors] = useState<LineErrorOut[]>();
  const [warnings, setWarnings] = useState<LineErrorOut[]>([]);
  const [valid, setValid] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [published, setPublished] = useState<number>();

  async function call(publish: boolean) {
    setBusy(true);
    setError(undefined);
    setLineErrors(undefined);
    setWarnings([]);
    setValid(false);
    setPublished(undefined);
    try {
      if (publish) {
        const d = await api<DefinitionOut>("/definitions", { rawBody: text, contentType: "text/yaml" });
        setPublished(d.version);
        setWarnings(d.warnings);
        onPublished(d);
      } else {
        const out = await api<ValidationOut>("/definitions/validate", { rawBody: text, contentType: "text/yaml" });
        setValid(out.valid);
        setLineErrors(out.errors);
        setWarnings(out.warnings);
      }
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const withLines = (e.problem.errors ?? []).filter((x) => x.line != null);
      if (withLines.length) setLineErrors(withLines.map((x) => ({ line: x.line ?? null, column: x.column ?? null, message: x.message, severity: "error" as const })));
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  const lines = text.split("\n");
  return (
    <section className="card">
      <h3>{t("processes.upload")}</h3>
      <p className="muted small">{t("processes.uploadHint")}</p>
      <label className="file-pick">{t("processes.chooseFile")}
        <input type="file" accept=".yaml,.yml,text/yaml" onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void f.text().then(setText);
        }} />
      </label>
      <textarea className="yaml-input" name="yaml" rows={14} spellCheck={false} value={text}
        onChange={(e) => setText(e.target.value)} />
      <div className="row gap-sm">
        <button type="button" className="btn" disabled={busy} onClick={() => void call(false)}>{t("processes.validate")}</button>
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void call(true)}>{t("processes.publish")}</button>
        {busy && <Spinner label={t("common.working")} />}
      </div>
      {valid && <div className="notice notice-ok" role="status">{t("processes.valid")}</div>}
      {published != null && <div className="notice notice-ok" role="status">{t("processes.published", { version: published })}</div>}
      {error && <ProblemView error={error} />}
      {warnings.length > 0 && (
        <div className="notice" role="status" data-testid="yaml-warnings">
          <strong>{t("processes.warningCount", { count: warnings.length })}</strong>
          <ul className="line-errors">
            {warnings.map((w, i) => (
              <li key={i}>
                {w.line != null && <span className="line-no">{t("processes.line", { line: w.line })}{w.column ? `:${w.column}` : ""}</span>}
                {w.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {lineErrors && lineErrors.length > 0 && (
        <div className="problem" role="alert" data-testid="yaml-errors">
          <strong>{t("processes.errorCount", { count: lineErrors.length })}</strong>
          <ul className="line-errors">
            {errorsByLine(lineErrors).map(([line, errs]) => errs.map((er, i) => (
              <li key={`${line}-${i}`}>
                {line > 0 && <span className="line-no">{t("processes.line", { line })}{er.column ? `:${er.column}` : ""}</span>}
                {er.message}
                {line > 0 && lines[line - 1] !== undefined && <code className="line-src">{lines[line - 1]}</code>}
              </li>
            )))}
          </ul>
        </div>
      )}
    </section>
  );
}
