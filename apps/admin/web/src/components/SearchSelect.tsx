import { setSearch } from '../lib/router';

/** A filter kept in the page's address (?param=value), so a link or reload shows the same. */
export function SearchSelect({ label, param, value, options, any }: { label: string; param: string; value: string; options: Array<{ value: string; label: string }>; any?: string }) {
  return (
    <label className="field inline">
      <span>{label}</span>
      <select value={value} onChange={(e) => setSearch({ [param]: e.target.value })}>
        {any !== undefined && <option value="">{any}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
