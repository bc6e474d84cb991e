import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../api/client";

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/** GET `path` (null: nothing to load yet); reloads when the path changes. */
export function useApi<T>(path: string | null): ApiState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const current = useRef(0);
  const { i18n } = useTranslation();
  const lang = i18n.language; // reload on a language switch: titles come localized
  useEffect(() => {
    if (path === null) {
      setLoading(false);
      return;
    }
    const ctrl = new AbortController();
    const mine = ++current.current;
    setLoading(true);
    setError(undefined);
    api<T>(path, { signal: ctrl.signal })
      .then((d) => {
        if (mine === current.current) setData(d);
      })
      .catch((e: unknown) => {
        if (mine !== current.current || (e instanceof DOMException && e.name === "AbortError")) return;
        setError(e instanceof ApiError ? e : new ApiError({ type: "client", title: "Error", status: 0,
          detail: String(e) }));
      })
      .finally(() => {
        if (mine === current.current) setLoading(false);
      });
    return () => ctrl.abort();
  }, [path, tick, lang]);
  return { data, error, loading, reload };
}
