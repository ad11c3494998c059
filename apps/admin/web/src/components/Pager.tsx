/** Forward-only paging over the hub's cursors, with a way back to the first page. */
export function Pager({ hasNext, onNext, onFirst, atFirst }: { hasNext: boolean; onNext: () => void; onFirst: () => void; atFirst: boolean }) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" onClick={onFirst} disabled={atFirst}>
        ⟨ First page
      </button>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Next page ⟩
      </button>
    </nav>
  );
}
