import { useState } from 'react';

/**
 * Forward-only paging over the hub's cursors: the cursor stack of the pages seen, back to the
 * first page whenever `resetKey` (the filters) changes.
 */
export function useCursorPages(resetKey: string) {
  const [state, setState] = useState<{ key: string; cursors: (string | null)[] }>({ key: resetKey, cursors: [null] });
  const cursors = state.key === resetKey ? state.cursors : [null];
  if (state.key !== resetKey) setState({ key: resetKey, cursors });
  return {
    after: cursors[cursors.length - 1],
    atFirst: cursors.length === 1,
    first: () => setState({ key: resetKey, cursors: [null] }),
    next: (endCursor: string) => setState({ key: resetKey, cursors: [...cursors, endCursor] }),
  };
}
