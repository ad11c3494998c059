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

/** Runs a query when its variables change; keeps the last data while the next page loads. */
export function useQuery<R, V>(document: TypedDocumentString<R, V>, variables: V, skip = false): QueryState<R> {
  const [data, setData] = useState<R>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(!skip);
  const [fetchedAt, setFetchedAt] = useState<number | null>(null);
  const key = JSON.stringify(variables);
  const latest = useRef(0);
  const run = useCallback(async () => {
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const result = await request(document, JSON.parse(key) as V);
      if (ticket !== latest.current) return;
      setData(result);
      setError(undefined);
      setFetchedAt(Date.now());
    } catch (err) {
      if (ticket !== latest.current) return;
      setError(err instanceof ApiError ? err : new ApiError(String(err), 'ERROR'));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, [document, key]);
  useEffect(() => {
    if (!skip) void run();
  }, [run, skip]);
  return { data, error, loading, fetchedAt, refetch: run };
}
