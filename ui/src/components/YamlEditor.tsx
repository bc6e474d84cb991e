// CodeMirror 6 for YAML definitions: line numbers, highlighting, completion and hover
// from the format's JSON Schema (codemirror-json-schema), and the server's check as
// diagnostics, asked for after a pause in typing. And a read-only diff of two texts.
import { yaml, yamlLanguage } from "@codemirror/lang-yaml";
import { unifiedMergeView } from "@codemirror/merge";
import { type Diagnostic, linter, lintGutter } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, hoverTooltip } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { stateExtensions } from "codemirror-json-schema";
import { yamlCompletion, yamlSchemaHover } from "codemirror-json-schema/yaml";
import { useEffect, useRef } from "react";
import { api, ApiError } from "../api/client";
import type { ValidationOut } from "../api/types";
import { offsetOf } from "../lib/definitionErrors";

export const CHECK_DELAY_MS = 500;

export interface Checked {
  text: string;
  result?: ValidationOut;
  error?: ApiError;
}

const theme = EditorView.theme({
  "&": { fontSize: "0.85rem", border: "1px solid var(--line)", borderRadius: "6px" },
  ".cm-scroller": { fontFamily: "ui-monospace, Menlo, monospace", minHeight: "18rem", maxHeight: "70vh" },
  ".cm-gutters": { background: "var(--bg)", color: "var(--muted)" },
});

function diagnostics(text: string, out: ValidationOut): Diagnostic[] {
  const found = [...out.errors, ...(out.warnings ?? [])];
  return found.map((e) => {
    const from = offsetOf(text, e.line ?? 1, e.column ?? 1);
    const lineEnd = text.indexOf("\n", from);
    const to = Math.max(lineEnd < 0 ? text.length : lineEnd, from);
    return {
      from, to, severity: e.severity === "warning" ? "warning" : "error",
      message: e.message,
    };
  });
}

export function YamlEditor({ initial, label, lang, schema, onChange, onChecked, jump }: {
  initial: string;
  label: string;
  lang: string;
  schema?: object;
  onChange: (text: string) => void;
  onChecked: (c: Checked) => void;
  jump?: { line: number; column: number; n: number };
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(null);
  const callbacks = useRef({ onChange, onChecked, lang });
  callbacks.current = { onChange, onChecked, lang };

  useEffect(() => {
    let pending: AbortController | null = null;
    const check = linter(async (v) => {
      const text = v.state.doc.toString();
      pending?.abort();
      const mine = new AbortController();
      pending = mine;
      try {
        const result = await api<ValidationOut>("/definitions/validate",
          { rawBody: text, contentType: "text/yaml", signal: mine.signal });
        callbacks.current.onChecked({ text, result });
        return diagnostics(text, result);
      } catch (e) {
        if (mine.signal.aborted) return [];
        if (!(e instanceof ApiError)) throw e;
        callbacks.current.onChecked({ text, error: e });
        return [{ from: 0, to: 0, severity: "error", message: e.problem.detail ?? e.problem.title }];
      }
    }, { delay: CHECK_DELAY_MS });
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial,
        extensions: [
          basicSetup, yaml(), theme, lintGutter(), check, EditorView.lineWrapping,
          ...(schema ? [yamlLanguage.data.of({ autocomplete: yamlCompletion() }),
            hoverTooltip(yamlSchemaHover()), stateExtensions(schema)] : []),
          EditorView.contentAttributes.of({ "aria-label": label, "data-testid": "yaml-editor", tabindex: "0" }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) callbacks.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      pending?.abort();
      v.destroy();
      view.current = null;
    };
    // The editor is made once; a new initial text or schema remounts it (its key).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v || !jump) return;
    const pos = offsetOf(v.state.doc.toString(), jump.line, jump.column);
    v.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
    v.focus();
  }, [jump]);

  return <div ref={host} className="yaml-editor" />;
}

/** ``changed`` against ``original``, deleted lines shown above the new ones; read-only. */
export function DiffView({ original, changed, label }: { original: string; changed: string; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: changed,
        extensions: [
          basicSetup, yaml(), theme, EditorState.readOnly.of(true), EditorView.editable.of(false),
          unifiedMergeView({ original, mergeControls: false, collapseUnchanged: { margin: 2, minSize: 6 } }),
          EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0" }),
        ],
      }),
    });
    return () => v.destroy();
  }, [original, changed, label]);
  return <div ref={host} className="yaml-diff" data-testid="yaml-diff" />;
}
