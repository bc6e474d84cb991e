// Live updates of a page: Server-Sent Events from `stream` (reload on `event`), or, when
// the stream cannot be opened, a reload every `pollMs` (the page shows when it last read).
import { useEffect, useState } from "react";
import { api } from "../api/client";

export type LiveMode = "stream" | "poll";

export function useLive(stream: string, event: string, reload: () => void,
  pollMs = 15000): LiveMode {
  const [mode, setMode] = useState<LiveMode>("stream");
  useEffect(() => {
    if (mode === "poll" || typeof EventSource === "undefined") {
      const timer = window.setInterval(reload, pollMs);
      return () => window.clearInterval(timer);
    }
    // EventSource cannot send the bearer token: a short-lived ticket opens the stream.
    let source: EventSource | undefined;
    let closed = false;
    let failures = 0;
    api<{ ticket: string }>("/events/ticket", { method: "POST" })
      .then(({ ticket }) => {
        if (closed) return;
        source = new EventSource(`/api${stream}?ticket=${encodeURIComponent(ticket)}`);
        source.addEventListener(event, () => reload());
        source.onerror = () => {
          failures += 1;
          if (failures >= 3) {
            source?.close();
            setMode("poll");
          }
        };
        source.onopen = () => {
          failures = 0;
        };
      })
      .catch(() => setMode("poll"));
    return () => {
      closed = true;
      source?.close();
    };
  }, [stream, event, reload, pollMs, mode]);
  return mode;
}
