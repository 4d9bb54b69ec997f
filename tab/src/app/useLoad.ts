import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";

export type Load<T> =
  | { state: "loading"; data?: undefined; error?: undefined }
  | { state: "ready"; data: T; error?: undefined }
  | { state: "error"; data?: undefined; error: ApiError };

/**
 * Loads data for a screen and reloads when `deps` change. Answers that arrive after a newer request
 * started are dropped, so typing fast in a search box never shows stale results.
 */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
): Load<T> & { reload: () => void; set: (data: T) => void } {
  const [result, setResult] = useState<Load<T>>({ state: "loading" });
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const silent = useRef(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to reload.
  useEffect(() => {
    const controller = new AbortController();
    // A reload refreshes what is on screen in place; new deps (another page, another search) start over.
    if (!silent.current) setResult({ state: "loading" });
    silent.current = false;
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ state: "ready", data });
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setResult({ state: "error", error: toApiError(err) });
      },
    );
    return () => controller.abort();
  }, [...deps, nonce]);

  const reload = useCallback(() => {
    silent.current = true;
    setNonce((n) => n + 1);
  }, []);
  const set = useCallback((data: T) => setResult({ state: "ready", data }), []);
  return { ...result, reload, set };
}
