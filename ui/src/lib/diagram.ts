// Mermaid text from the API, with the current step highlighted.

const SAFE_ID = /^[A-Za-z_][\w-]*$/;

/**
 * Adds a `current` class to `node` in a flowchart or state diagram. Leaves the text alone
 * when it already marks a current node, when the node id is unusual, or for other kinds.
 */
export function highlightMermaid(text: string, node: string | null | undefined): string {
  if (!node || !SAFE_ID.test(node)) return text;
  const first = text.trimStart().split("\n", 1)[0].trim();
  if (!/^(flowchart|graph|stateDiagram)/.test(first)) return text;
  const classed = new RegExp(`(^|\\n)\\s*class\\s+([\\w-]+,)*${node}(,[\\w-]+)*\\s+current\\b|\\b${node}:::current\\b`);
  if (classed.test(text)) return text;
  const style = "fill:#fde68a,stroke:#b45309,stroke-width:3px,color:#111";
  const def = /classDef\s+current\b/.test(text) ? "" : `\n  classDef current ${style}`;
  return `${text.trimEnd()}${def}\n  class ${node} current\n`;
}
