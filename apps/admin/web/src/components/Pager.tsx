import type { useCursorPages } from '../api/use-pages';

/** Forward-only paging over the hub's cursors, with a way back to the first page. */
export function Pager({ pages, pageInfo }: { pages: ReturnType<typeof useCursorPages>; pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined }) {
  const end = pageInfo?.hasNextPage ? pageInfo.endCursor : null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={pages.first} disabled={pages.atFirst}>
        ⟨ First page
      </button>
      <button type="button" onClick={() => end && pages.next(end)} disabled={!end}>
        Next page ⟩
      </button>
    </nav>
  );
}
