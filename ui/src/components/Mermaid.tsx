import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { highlightMermaid } from "../lib/diagram";
import { Spinner } from "./ProblemView";

let loader: Promise<typeof import("mermaid").default> | null = null;
function loadMermaid() {
  // Bundled but split: the diagram library loads on the first page that shows one.
  loader ??= import("mermaid").then((m) => {
    m.default.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral",
      fontFamily: "inherit" });
    return m.default;
  });
  return loader;
}

export function MermaidDiagram({ text, current }: { text: string; current?: string | null }) {
  const { t } = useTranslation();
  const id = `mmd-${useId().replace(/[^a-zA-Z0-9]/g, "")}`;
  const ref = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<"loading" | "ok" | "failed">("loading");
  useEffect(() => {
    let live = true;
    setState("loading");
    loadMermaid()
      .then((m) => m.render(id, highlightMermaid(text, current)))
      .then(({ svg }) => {
        if (!live || !ref.current) return;
        ref.current.innerHTML = svg;
        setState("ok");
      })
      .catch(() => live && setState("failed"));
    return () => {
      live = false;
    };
  }, [id, text, current]);
  return (
    <div className="diagram">
      {state === "loading" && <Spinner />}
      {state === "failed" && <pre className="yaml">{text}</pre>}
      <div ref={ref} className="diagram-svg" data-testid="diagram" hidden={state !== "ok"}
        role="img" aria-label={t("task.diagram")} />
    </div>
  );
}

export default MermaidDiagram;
