import { useEffect, useState } from 'react';
import { useLiveState } from '../api/live';

/**
 * "updated N s ago", turning into a warning when the live stream is lost. Pages without a
 * subscription (`live={false}`) re-read on a timer and show only the age of their data.
 */
export function LiveStatus({ fetchedAt, live: streaming = true }: { fetchedAt: number | null; live?: boolean }) {
  const live = useLiveState();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const last = Math.max(fetchedAt ?? 0, streaming && live.connected ? (live.lastSeenAt ?? 0) : 0);
  const ago = last ? `${Math.max(0, Math.round((now - last) / 1000))} s ago` : 'not yet';
  if (!streaming) {
    return (
      <p className="live live-ok" role="status" data-live="polled">
        Updated {ago}
      </p>
    );
  }
  if (!live.connected) {
    return (
      <p className="live live-lost" role="status" data-live="lost">
        <span aria-hidden="true">⚠</span> Live updates lost — reconnecting. Data updated {ago}.
      </p>
    );
  }
  return (
    <p className="live live-ok" role="status" data-live="ok">
      <span className="dot" aria-hidden="true" /> Live · updated {ago}
    </p>
  );
}
