import { useState } from 'preact/hooks';
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

export function Problem({ problem }: { readonly problem: string | undefined }) {
  return problem ? (
    <p role="alert" class="problem">
      {problem}
    </p>
  ) : null;
}
