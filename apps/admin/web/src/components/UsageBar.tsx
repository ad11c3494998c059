import { formatBytes, formatPercent } from '../lib/format';

/** Usage against a limit: an accessible progressbar with the percentage as text; amber near, red over. */
export function UsageBar({ usage, limit, label }: { usage: number; limit: number | null; label: string }) {
  if (limit === null) return <span className="muted">{formatBytes(usage)} · unlimited</span>;
  const ratio = limit > 0 ? usage / limit : usage > 0 ? Infinity : 0;
  const level = ratio > 1 ? 'over' : ratio >= 0.9 ? 'near' : 'ok';
  const pct = Number.isFinite(ratio) ? ratio : 1;
  return (
    <div className="usage">
      <div
        className={`bar bar-${level}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(Math.min(pct, 1) * 100)}
        aria-valuetext={`${formatPercent(pct)} of ${formatBytes(limit)}`}
      >
        <div className="fill" style={{ width: `${Math.min(pct, 1) * 100}%` }} />
      </div>
      <span className={`usage-text level-${level}`}>
        {formatPercent(pct)} <span className="muted">· {formatBytes(usage)} / {formatBytes(limit)}</span>
        {level === 'over' && <strong className="tag tag-over">over</strong>}
      </span>
    </div>
  );
}
