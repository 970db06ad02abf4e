import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

/**
 * What a page shows when a request fails: the API's message, in an alert. A 401 (the
 * token expired, or was revoked) signs the tab out instead, when `onUnauthorized` is given.
 */
export function useProblem(onUnauthorized?: () => void) {
  const [problem, setProblem] = useState<string>();
  const failed = (error: unknown) => {
    if (onUnauthorized && error instanceof ApiError && error.status === 401) return onUnauthorized();
    setProblem(error instanceof Error ? error.message : String(error));
  };
  return { problem, failed, clear: () => setProblem(undefined) };
}

/**
 * What `read` answers, read when the page opens and when one of `deps` changes (what the
 * page showed before goes at once), and again on `reload()`; a failed read is the page's
 * problem (`useProblem`). Of reads that overlap, the last one begun has the last word.
 */
export function useLoaded<T>(read: () => Promise<T>, deps: readonly unknown[], onUnauthorized: () => void) {
  const [loaded, setLoaded] = useState<T>();
  const { problem, failed, clear } = useProblem(onUnauthorized);
  const latest = useRef(0);
  const reload = async () => {
    const call = ++latest.current;
    clear();
    try {
      const answer = await read();
      if (call === latest.current) setLoaded(answer);
    } catch (error) {
      if (call === latest.current) failed(error);
    }
  };
  useEffect(() => {
    setLoaded(undefined);
    void reload();
  }, deps);
  return { loaded, problem, reload };
}

export function Problem({ problem }: { readonly problem: string | undefined }) {
  return problem ? (
    <p role="alert" class="problem">
      {problem}
    </p>
  ) : null;
}
