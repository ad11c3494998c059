import { useCallback, useEffect, useRef, useState } from 'react';
import type { TypedDocumentString } from '../gql/graphql';
import { ApiError, request } from './graphql';

export interface QueryState<R> {
  data: R | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** when the data was last read from the hub (ms) */
  fetchedAt: number | null;
  refetch: () => Promise<void>;
}

interface Settled<R> {
  /** the variables (as JSON) of the answer below; null before the first */
  key: string | null;
  data: R | undefined;
  error: ApiError | undefined;
  fetchedAt: number | null;
}

/**
 * Runs a query when its variables change; keeps the last data while the next page loads. Loading
 * is derived (the answer held is not for the current variables, or a refetch is out), so the
 * effect that starts a request sets no state of its own before the answer.
 */
export function useQuery<R, V>(document: TypedDocumentString<R, V>, variables: V, skip = false): QueryState<R> {
  const [settled, setSettled] = useState<Settled<R>>({ key: null, data: undefined, error: undefined, fetchedAt: null });
  const [refetching, setRefetching] = useState(false);
  const key = JSON.stringify(variables);
  const latest = useRef(0);
  const load = useCallback(async () => {
    const ticket = ++latest.current;
    let next: (prev: Settled<R>) => Settled<R>;
    try {
      const result = await request(document, JSON.parse(key) as V);
      next = () => ({ key, data: result, error: undefined, fetchedAt: Date.now() });
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError(String(err), 'ERROR');
      next = (prev) => ({ ...prev, key, error });
    }
    // an answer to variables since replaced is dropped
    if (ticket !== latest.current) return;
    setSettled(next);
    setRefetching(false);
  }, [document, key]);
  useEffect(() => {
    if (!skip) void load();
  }, [load, skip]);
  const refetch = useCallback(() => {
    setRefetching(true);
    return load();
  }, [load]);
  const loading = !skip && (settled.key !== key || refetching);
  return { data: settled.data, error: settled.error, loading, fetchedAt: settled.fetchedAt, refetch };
}
