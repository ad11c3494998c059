import { useState } from 'react';

/** The next whole minute (ms since 1970). */
function nextMinute(): number {
  return Math.ceil(Date.now() / 60_000) * 60_000;
}

/**
 * The end of a time window reaching "now", rounded up to the minute: read from the clock when the
 * page first shows the window and again whenever `key` (what the window is of: region, period)
 * changes, never on a mere re-render, so the query's variables stay the same between them.
 */
export function useWindowEnd(key: string): number {
  const [end, setEnd] = useState(() => ({ key, at: nextMinute() }));
  if (end.key === key) return end.at;
  // a new window: stored during render (React's pattern for state that follows a prop)
  const next = { key, at: nextMinute() };
  setEnd(next);
  return next.at;
}
