import { useMemo } from 'react';
import { SeriesDocument } from '../api/documents';
import { useQuery } from '../api/use-query';
import { useWindowEnd } from '../api/use-window';
import { LineChart, type Point } from '../components/Charts';
import { ErrorBox, Loading } from '../components/Feedback';
import { LiveStatus } from '../components/LiveStatus';
import { RegionPicker, useDefaultRegion } from '../components/RegionPicker';
import { SearchSelect } from '../components/SearchSelect';
import { formatBytes, formatCount, formatPercent } from '../lib/format';
import { useLocation } from '../lib/router';

const PERIODS = [
  { value: '1h', label: 'Last hour', seconds: 3600, step: 60 },
  { value: '24h', label: 'Last 24 hours', seconds: 86_400, step: 900 },
  { value: '7d', label: 'Last 7 days', seconds: 7 * 86_400, step: 3 * 3600 },
  { value: '30d', label: 'Last 30 days', seconds: 30 * 86_400, step: 12 * 3600 },
];

type Metric = 'bytes' | 'envelopes' | 'people';

function Change({ current, previous, format }: { current: number | undefined; previous: number | undefined; format: (v: number) => string }) {
  if (current === undefined) return null;
  if (previous === undefined) return <span className="muted">no samples in the previous period</span>;
  const delta = current - previous;
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  return (
    <span className={delta > 0 ? 'level-near' : undefined}>
      {sign}
      {format(Math.abs(delta))} {previous > 0 && <>({sign}{formatPercent(Math.abs(delta) / previous)})</>} against the previous period
    </span>
  );
}

/** Bytes, envelopes and people of a region over time, from the hub's samples, with the change against the previous period. */
export function StoragePage() {
  const { search } = useLocation();
  const region = useDefaultRegion(search.get('region'));
  const period = PERIODS.find((p) => p.value === search.get('period')) ?? PERIODS[1];
  const to = useWindowEnd(`${region}|${period.value}`);
  // twice the period: the earlier half is the "previous period" the change is measured against
  const vars = useMemo(
    () => ({ region: region ?? '', from: new Date(to - 2 * period.seconds * 1000).toISOString(), to: new Date(to).toISOString(), step: period.step }),
    [region, period, to],
  );
  const series = useQuery(SeriesDocument, vars, !region);
  const split = Date.parse(vars.to) - period.seconds * 1000;
  const samples = series.data?.usageSeries ?? [];
  const current = samples.filter((s) => Date.parse(s.at) > split);
  const previous = samples.filter((s) => Date.parse(s.at) <= split);
  const metric = (m: Metric): Point[] => current.map((s) => ({ at: s.at, value: s[m] }));
  const charts: { m: Metric; title: string; format: (v: number) => string }[] = [
    { m: 'bytes', title: 'Bytes stored', format: formatBytes },
    { m: 'envelopes', title: 'Envelopes', format: formatCount },
    { m: 'people', title: 'People', format: formatCount },
  ];
  return (
    <>
      <div className="page-head">
        <h1>Storage over time</h1>
        <LiveStatus fetchedAt={series.fetchedAt} live={false} />
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <RegionPicker value={region} />
        <SearchSelect label="Period" param="period" value={period.value} options={PERIODS} />
      </form>
      <ErrorBox error={series.error} />
      {region && !series.data && !series.error && <Loading what="samples" />}
      {series.data && (
        <div className="charts">
          {charts.map(({ m, title, format }) => (
            <section key={m} className="chart-card" aria-label={title}>
              <LineChart points={metric(m)} title={title} format={format} range={[split, Date.parse(vars.to)]} />
              <p className="small">
                <Change current={current.at(-1)?.[m]} previous={previous.at(-1)?.[m]} format={format} />
              </p>
            </section>
          ))}
        </div>
      )}
    </>
  );
}
