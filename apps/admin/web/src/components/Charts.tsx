import { formatDateTime } from '../lib/format';

export interface Point {
  at: string;
  value: number;
}

function scale(points: Point[], width: number, height: number, pad: number, range?: [number, number]) {
  const times = points.map((p) => Date.parse(p.at));
  const t0 = range?.[0] ?? Math.min(...times);
  const t1 = range?.[1] ?? Math.max(...times);
  const max = Math.max(...points.map((p) => p.value), 1);
  const x = (t: number) => pad + (t1 === t0 ? (width - 2 * pad) / 2 : ((t - t0) / (t1 - t0)) * (width - 2 * pad));
  const y = (v: number) => height - pad - (v / max) * (height - 2 * pad);
  return { x, y, max, t0, t1, xy: points.map((p, i) => [x(times[i]), y(p.value)] as const) };
}

/** A tiny line of a region's bytes over time (overview), drawn from the hub's samples. */
export function Sparkline({ points, label }: { points: Point[]; label: string }) {
  if (points.length < 2) return <span className="muted small">no samples yet</span>;
  const { xy } = scale(points, 120, 28, 2);
  return (
    <svg className="sparkline" viewBox="0 0 120 28" width="120" height="28" role="img" aria-label={label}>
      <polyline points={xy.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')} />
    </svg>
  );
}

/** One series over time with its samples marked; the x axis spans `range` (the period shown). */
export function LineChart({ points, title, format, range }: { points: Point[]; title: string; format: (v: number) => string; range?: [number, number] }) {
  const width = 480;
  const height = 220;
  const pad = 48;
  if (points.length === 0) return <p className="muted">No samples in this period yet.</p>;
  const { xy, max, t0, t1 } = scale(points, width, height, pad, range);
  const last = points[points.length - 1];
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}: ${points.length} samples from ${formatDateTime(points[0].at)} to ${formatDateTime(last.at)}, latest ${format(last.value)}`}>
        <line className="axis" x1={pad} y1={height - pad} x2={width - pad} y2={height - pad} />
        <line className="axis" x1={pad} y1={pad} x2={pad} y2={height - pad} />
        <line className="grid" x1={pad} y1={pad} x2={width - pad} y2={pad} />
        <text className="label" x={pad - 4} y={pad + 4} textAnchor="end">
          {format(max)}
        </text>
        <text className="label" x={pad - 4} y={height - pad} textAnchor="end">
          0
        </text>
        <text className="label" x={pad} y={height - pad + 20}>
          {new Date(t0).toISOString().slice(5, 16).replace('T', ' ')}
        </text>
        <text className="label" x={width - pad} y={height - pad + 20} textAnchor="end">
          {new Date(t1).toISOString().slice(5, 16).replace('T', ' ')}
        </text>
        <polyline className="line" points={xy.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')} />
        {xy.map(([a, b], i) => (
          <circle key={i} className="sample" data-sample={points[i].value} cx={a} cy={b} r={3}>
            <title>{`${formatDateTime(points[i].at)}: ${format(points[i].value)}`}</title>
          </circle>
        ))}
      </svg>
    </figure>
  );
}
