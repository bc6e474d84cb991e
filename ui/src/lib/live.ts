// Live updates of a page: Server-Sent Events from `stream` (reload on `event`), or, when
// the stream cannot be opened, a reload every `pollMs` (the page shows when it last read).
import { useEffect, useState } from "react";
import { getToken } from "../api/client";

export type LiveMode = "stream" | "poll";

export function useLive(stream: string, event: string, reload: () => void,
  pollMs = 15000): LiveMode {
  const [mode, setMode] = useState<LiveMode>("stream");
  useEffect(() => {
    if (mode === "poll" || typeof EventSource === "undefined") {
      const timer = window.setInterval(reload, pollMs);
      return () => window.clearInterval(timer);
    }
    const token = getToken() ?? "";
    const source = new EventSource(`/api${stream}?token=${encodeURIComponent(token)}`);
    source.addEventListener(event, () => reload());
    let failures = 0;
    source.onerror = () => {
      failures += 1;
      if (failures >= 3) {
        source.close();
        setMode("poll");
      }
    };
    source.onopen = () => {
      failures = 0;
    };
    return () => source.close();
  }, [stream, event, reload, pollMs, mode]);
  return mode;
}
