// Attachments: the files of a request (every version), uploading with a progress bar,
// downloading behind the bearer token, and the form widget of `format: attachment`.
import type { WidgetProps } from "@rjsf/utils";
import { createContext, useContext, useId, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import "./attachments.css";
import { ApiError, getToken } from "../api/client";
import type { AttachmentLimitsOut, AttachmentOut, InstanceOut } from "../api/types";
import { useAuth } from "../auth";
import { downloadFile } from "../lib/download";
import { formatDateTime } from "../lib/format";
import { personName } from "../lib/localize";
import { toProblem } from "../lib/problems";
import { useApi } from "../lib/useApi";

/** Bytes in words: 2.4 MB, 830 KB (decimal units, as file managers show them). */
export function formatBytes(n: number, lang = "en"): string {
  const units = ["B", "KB", "MB", "GB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  const digits = i === 0 || v >= 100 ? 0 : 1;
  return `${v.toLocaleString(lang, { maximumFractionDigits: digits })} ${units[i]}`;
}

/** POST multipart with upload progress (fetch reports none), the bearer token and an
 * Idempotency-Key; resolves with the JSON answer, rejects with an ApiError. */
export function uploadWithProgress<T>(path: string, body: FormData,
  onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api${path}`);
    const token = getToken();
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Accept", "application/json, application/problem+json");
    xhr.setRequestHeader("Accept-Language",
      localStorage.getItem("signoff.lang") ?? navigator.language ?? "en");
    xhr.setRequestHeader("Idempotency-Key",
      typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `${Date.now()}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let parsed: unknown = undefined;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        parsed = xhr.responseText;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(parsed as T);
      } else {
        reject(new ApiError(toProblem(parsed, xhr.status, xhr.statusText, path)));
      }
    };
    xhr.onerror = () => reject(new ApiError({ type: "network", title: "NetworkError", status: 0,
      detail: "network error" }));
    xhr.send(body);
  });
}

/** Files checked in the browser against the server's limits: a sentence per problem. */
function checkFiles(files: File[], limits: AttachmentLimitsOut | undefined,
  t: (k: string, o?: Record<string, unknown>) => string, lang: string): string | null {
  if (!limits) return null;
  if (files.length > limits.max_files) return t("attachments.tooMany", { max: limits.max_files });
  for (const f of files) {
    const ext = f.name.includes(".") ? `.${f.name.split(".").pop()!.toLowerCase()}` : "";
    if (!limits.types.includes(ext)) {
      return t("attachments.badType", { name: f.name, types: limits.types.join(" ") });
    }
    if (f.size > limits.max_bytes) {
      return t("attachments.tooLarge", { name: f.name, limit: formatBytes(limits.max_bytes, lang) });
    }
    if (f.size === 0) return t("attachments.empty", { name: f.name });
  }
  return null;
}

/** The server's refusal in the UI's language, naming the files sent. */
function refusal(err: unknown, files: File[], limits: AttachmentLimitsOut | undefined,
  t: (k: string, o?: Record<string, unknown>) => string, lang: string): string {
  const names = files.map((f) => f.name).join(", ");
  if (!(err instanceof ApiError)) return t("errors.title");
  const limit = limits ? formatBytes(limits.max_bytes, lang) : "";
  switch (err.status) {
    case 413: return t("attachments.tooLarge", { name: names, limit });
    case 415: return t("attachments.badType", { name: names, types: limits?.types.join(" ") ?? "" });
    case 403: return t("attachments.notAllowed");
    case 409: return t("attachments.closed");
    case 0: return t("errors.network");
    default: return `${t("errors.invalid")} ${err.problem.detail ?? ""}`.trim();
  }
}

export function AttachmentLink({ a }: { a: Pick<AttachmentOut, "id" | "name" | "url"> }) {
  const { t } = useTranslation();
  const [failed, setFailed] = useState(false);
  return (
    <>
      <button type="button" className="btn-link attachment-link"
        onClick={() => {
          setFailed(false);
          downloadFile(a.url.replace(/^\/api/, ""), a.name).catch(() => setFailed(true));
        }}>
        {a.name}
      </button>
      {failed && <span className="attachment-error" role="alert"> {t("attachments.downloadFailed")}</span>}
    </>
  );
}

function Progress({ fraction, label }: { fraction: number; label: string }) {
  const pct = Math.round(fraction * 100);
  return (
    <div className="upload-progress">
      <progress max={100} value={pct} aria-label={label} />
      <span aria-live="polite">{pct}%</span>
    </div>
  );
}

/** The request's files (newest version first in each chain) and, while it runs, an upload. */
export function AttachmentsPanel({ inst, onChanged }: { inst: InstanceOut; onChanged?: () => void }) {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  const limits = useApi<AttachmentLimitsOut>("/attachments/limits");
  const running = inst.status === "running" || inst.status === "returned";
  const files = inst.attachments ?? [];
  const inputId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<File[]>([]);
  const [comment, setComment] = useState("");
  const [replaces, setReplaces] = useState<AttachmentOut | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function send() {
    const problem = checkFiles(chosen, limits.data, t, i18n.language);
    if (problem) {
      setMessage({ ok: false, text: problem });
      return;
    }
    const body = new FormData();
    chosen.forEach((f) => body.append("files", f, f.name));
    if (comment.trim()) body.append("comment", comment.trim());
    if (replaces) body.append("replaces", replaces.id);
    setMessage(null);
    setProgress(0);
    try {
      await uploadWithProgress<InstanceOut>(`/instances/${inst.id}/attachments`, body, setProgress);
      setMessage({ ok: true, text: chosen.length === 1 ? t("attachments.uploadedOne") : t("attachments.uploadedMany", { count: chosen.length }) });
      setChosen([]);
      setComment("");
      setReplaces(null);
      if (fileInput.current) fileInput.current.value = "";
      onChanged?.();
    } catch (err) {
      setMessage({ ok: false, text: refusal(err, chosen, limits.data, t, i18n.language) });
      setProgress(null);
    }
  }

  const byId = new Map(files.map((a) => [a.id, a]));
  return (
    <section className="card attachments" aria-labelledby={`${inputId}-h`}>
      <h3 id={`${inputId}-h`}>{t("attachments.title")}</h3>
      {files.length === 0 ? <p className="muted">{t("attachments.none")}</p> : (
        <ul className="attachment-list">
          {[...files].reverse().map((a) => (
            <li key={a.id} className={a.current ? "" : "attachment-old"}>
              <AttachmentLink a={a} />
              <span className="muted small">
                {" · "}{formatBytes(a.size, i18n.language)}
                {a.version > 1 || !a.current ? ` · ${t("attachments.version", { n: a.version })}` : ""}
                {!a.current && ` · ${t("attachments.replaced")}`}
                {a.replaces && byId.get(a.replaces) ? ` · ${t("attachments.replacesName", { name: byId.get(a.replaces)!.name })}` : ""}
                {" · "}{a.actor ? personName(a.actor, people, i18n.language) : ""}
                {" · "}<time dateTime={a.at ?? undefined}>{formatDateTime(a.at, i18n.language)}</time>
              </span>
              {running && a.current && (
                <button type="button" className="btn btn-small no-print"
                  aria-label={t("attachments.newVersionOf", { name: a.name })}
                  onClick={() => {
                    setReplaces(a);
                    fileInput.current?.focus();
                  }}>
                  {t("attachments.newVersion")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {running && (
        <form className="attachment-upload no-print" onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}>
          {replaces && (
            <div className="notice">
              {t("attachments.replacing", { name: replaces.name })}{" "}
              <button type="button" className="btn-link" onClick={() => setReplaces(null)}>{t("common.cancel")}</button>
            </div>
          )}
          <label htmlFor={inputId}>{t("attachments.choose")}</label>
          <FilePicker chosen={chosen.map((f) => f.name)} many={!replaces}>
            <input id={inputId} ref={fileInput} type="file" multiple={!replaces} className="sr-only"
              accept={limits.data?.types.join(",")}
              onChange={(e) => {
                setChosen(Array.from(e.target.files ?? []));
                setMessage(null);
                setProgress(null);
              }} />
          </FilePicker>
          {limits.data && (
            <p className="muted small">{t("attachments.limits", {
              limit: formatBytes(limits.data.max_bytes, i18n.language), max: limits.data.max_files,
              types: limits.data.types.join(" "),
            })}</p>
          )}
          {!replaces && (
            <>
              <label htmlFor={`${inputId}-c`}>{t("attachments.comment")}</label>
              <textarea id={`${inputId}-c`} rows={2} value={comment}
                onChange={(e) => setComment(e.target.value)} />
            </>
          )}
          <div className="row gap-sm">
            <button type="submit" className="btn btn-primary"
              disabled={!chosen.length || (progress !== null && progress < 1 && !message)}>
              {t("attachments.upload")}
            </button>
            {progress !== null && <Progress fraction={progress} label={t("attachments.progress")} />}
          </div>
          {message && (
            <div className={message.ok ? "notice notice-ok" : "problem"} role={message.ok ? "status" : "alert"}>
              {message.text}
            </div>
          )}
        </form>
      )}
    </section>
  );
}

/** The files a read-only form shows by id (InstanceOut.attachments). */
export const AttachmentsContext = createContext<AttachmentOut[]>([]);

/** `format: attachment`: choose a file, upload it at once (with progress), keep its id. */
export function AttachmentWidget(props: WidgetProps) {
  const { t, i18n } = useTranslation();
  const known = useContext(AttachmentsContext);
  const limits = useApi<AttachmentLimitsOut>("/attachments/limits");
  const [progress, setProgress] = useState<number | null>(null);
  const [uploaded, setUploaded] = useState<AttachmentOut | null>(null);
  const [error, setError] = useState<string | null>(null);
  const value = typeof props.value === "string" ? props.value : "";
  const current = uploaded?.id === value ? uploaded : known.find((a) => a.id === value);
  if (props.readonly) {
    return current ? <AttachmentLink a={current} /> : <span className="muted">{value ? value : "—"}</span>;
  }
  return (
    <div className="attachment-widget">
      {current && (
        <div className="small">
          <AttachmentLink a={current} /> <span className="muted">· {formatBytes(current.size, i18n.language)}</span>
        </div>
      )}
      <FilePicker chosen={uploaded ? [uploaded.name] : []} many={false} disabled={props.disabled}>
      <input id={props.id} type="file" disabled={props.disabled} className="sr-only"
        accept={limits.data?.types.join(",")} aria-required={props.required}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          const problem = checkFiles([file], limits.data, t, i18n.language);
          if (problem) {
            setError(problem);
            return;
          }
          const body = new FormData();
          body.append("file", file, file.name);
          body.append("field", props.name);
          setError(null);
          setProgress(0);
          uploadWithProgress<AttachmentOut>("/attachments", body, setProgress)
            .then((a) => {
              setUploaded(a);
              props.onChange(a.id);
            })
            .catch((err) => {
              setProgress(null);
              setError(refusal(err, [file], limits.data, t, i18n.language));
            });
        }} />
      </FilePicker>
      {progress !== null && <Progress fraction={progress} label={t("attachments.progress")} />}
      {error && <div className="problem" role="alert">{error}</div>}
    </div>
  );
}

/** A file input in our words and language: the browser's own button and "no file chosen"
 * follow the browser's language, not the one chosen in the app. The input itself stays
 * (visually hidden, focusable, labelled), so keyboards, screen readers and tests use it. */
function FilePicker({ chosen, many, disabled, children }: {
  chosen: string[]; many: boolean; disabled?: boolean; children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <label className={`file-picker${disabled ? " disabled" : ""}`}>
      {children}
      <span className="btn file-picker-button" aria-hidden="true">
        {t(many ? "attachments.pick" : "attachments.pickOne")}
      </span>
      <span className="file-picker-chosen muted small" aria-hidden="true">
        {chosen.length ? chosen.join(", ") : t("attachments.noneChosen")}
      </span>
    </label>
  );
}

export const attachmentWidgets = { attachment: AttachmentWidget };

/** A file in the timeline: its link, size, and the version it replaces. */
export function AttachmentEntry({ a }: { a: AttachmentOut }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="small tl-attachment">
      <AttachmentLink a={a} />
      <span className="muted"> · {formatBytes(a.size, i18n.language)}
        {a.version > 1 && ` · ${t("attachments.version", { n: a.version })}`}</span>
    </div>
  );
}

/** Prints the page as a record (print.css hides navigation and buttons). */
export function PrintButton() {
  const { t } = useTranslation();
  return (
    <button type="button" className="btn btn-small no-print" onClick={() => window.print()}>
      {t("attachments.print")}
    </button>
  );
}
