// Definition errors beside the YAML text: where a 1-based line and column fall in it.
// The server says each message in the reader's language (Accept-Language; the one
// catalogue is api/message_catalogue.py).

export interface LineError {
  line?: number | null;
  column?: number | null;
  message: string;
  severity?: string | null;
}

/** A 1-based line and column as an offset into ``text`` (clamped to the text). */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  const lines = text.split("\n");
  const l = Math.min(Math.max(line, 1), lines.length);
  for (let i = 0; i < l - 1; i++) offset += lines[i].length + 1;
  return offset + Math.min(Math.max(column - 1, 0), lines[l - 1].length);
}
