import { RegionListDocument } from '../api/documents';
import { useQuery } from '../api/use-query';
import { shortKey } from '../lib/format';
import { setSearch } from '../lib/router';

/** The region a page shows, kept in ?region= so a link or reload shows the same. */
export function RegionPicker({ value, allowAll = false }: { value: string | null; allowAll?: boolean }) {
  const { data } = useQuery(RegionListDocument, {});
  const regions = data?.regions ?? [];
  return (
    <label className="field">
      <span>Region</span>
      <select value={value ?? ''} onChange={(e) => setSearch({ region: e.target.value, after: null })}>
        {allowAll ? <option value="">All regions in your scope</option> : <option value="">Choose a region…</option>}
        {regions.map((r) => (
          <option key={r.publicKey} value={r.publicKey}>
            {r.name} ({shortKey(r.publicKey)})
          </option>
        ))}
      </select>
    </label>
  );
}

/** The first region in scope, for pages opened without ?region=. */
export function useDefaultRegion(current: string | null): string | null {
  const { data } = useQuery(RegionListDocument, {}, current !== null);
  if (current) return current;
  return data?.regions[0]?.publicKey ?? null;
}
