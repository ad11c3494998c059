import { type Client, createClient } from 'graphql-ws';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { TypedDocumentString } from '../gql/graphql';

/** State of the one graphql-ws socket (through the admin app's relay) that every page shares. */
export interface LiveState {
  connected: boolean;
  /** last sign of life from the hub (an event or a keep-alive pong), ms since epoch */
  lastSeenAt: number | null;
}

let state: LiveState = { connected: false, lastSeenAt: null };
const listeners = new Set<() => void>();
const set = (next: Partial<LiveState>) => {
  state = { ...state, ...next };
  for (const l of listeners) l();
};

let client: Client | undefined;
function liveClient(): Client {
  client ??= createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    lazy: true,
    keepAlive: 10_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: {
      connected: () => set({ connected: true, lastSeenAt: Date.now() }),
      pong: () => set({ lastSeenAt: Date.now() }),
      message: () => set({ lastSeenAt: Date.now() }),
      closed: () => set({ connected: false }),
      error: () => set({ connected: false }),
    },
  });
  return client;
}

export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (l) => (listeners.add(l), () => listeners.delete(l)),
    () => state,
  );
}

/** Subscribes while the component is mounted; `onData` gets each event (latest callback used). */
export function useSubscription<R, V extends Record<string, unknown>>(document: TypedDocumentString<R, V>, variables: V | null, onData: (data: R) => void): void {
  const callback = useRef(onData);
  // the latest callback, for events of a subscription made with an earlier render's
  useEffect(() => {
    callback.current = onData;
  });
  // one subscription per document and variables' value (a new object of the same value keeps it)
  const key = JSON.stringify(variables);
  useEffect(() => {
    const vars = JSON.parse(key) as V | null;
    if (!vars) return;
    return liveClient().subscribe<R>(
      { query: document.toString(), variables: vars },
      { next: (r) => r.data && callback.current(r.data as R), error: () => set({ connected: false }), complete: () => undefined },
    );
  }, [document, key]);
}
