import { useMemo, useState } from 'react';
import { EvictionHappenedDocument, OverviewDocument, SeriesDocument } from '../api/documents';
import { useSubscription } from '../api/live';
import type { Me } from '../api/session';
import { useThrottled } from '../api/use-debounced';
import { useQuery } from '../api/use-query';
import { useWindowEnd } from '../api/use-window';
import { Card } from '../components/Card';
import { Sparkline } from '../components/Charts';
import { ErrorBox, Loading } from '../components/Feedback';
import { LiveStatus } from '../components/LiveStatus';
import { QueueSummary } from '../components/QueueSummary';
import { formatBytes, formatCount, shortKey } from '../lib/format';
import { Link } from '../lib/router';

const PAGE = 50;
const LIVE_REGIONS = 10;

function RegionSparkline({ region, name }: { region: string; name: string }) {
  // the last 24 hours in 48 steps, up to a minute that re-renders keep (the same query)
  const to = useWindowEnd(region);
  const vars = useMemo(() => ({ region, from: new Date(to - 86_400_000).toISOString(), to: new Date(to).toISOString(), step: 1800 }), [region, to]);
  const { data } = useQuery(SeriesDocument, vars);
  if (!data) return <span className="muted small">…</span>;
  return <Sparkline points={data.usageSeries.map((s) => ({ at: s.at, value: s.bytes }))} label={`bytes stored in ${name} over the last 24 hours`} />;
}

function LiveRegion({ region, onEvent }: { region: string; onEvent: () => void }) {
  useSubscription(EvictionHappenedDocument, { region }, onEvent);
  return null;
}

/** Every region in scope: totals, people over/near their limit, ingest, a sparkline; queue health for hub admins. */
export function OverviewPage({ me }: { me: Me }) {
  const overview = useQuery(OverviewDocument, {});
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const refetch = useThrottled(() => void overview.refetch(), 2000);
  const regions = useMemo(() => {
    const all = overview.data?.regions ?? [];
    const f = filter.trim().toLowerCase();
    return f ? all.filter((r) => r.name.toLowerCase().includes(f) || r.publicKey.toLowerCase().startsWith(f)) : all;
  }, [overview.data, filter]);
  const shown = regions.slice(page * PAGE, page * PAGE + PAGE);
  const totals = regions.reduce(
    (t, r) => ({ envelopes: t.envelopes + r.stats.envelopes, bytes: t.bytes + r.stats.bytes, people: t.people + r.stats.people, over: t.over + r.stats.peopleOverLimit }),
    { envelopes: 0, bytes: 0, people: 0, over: 0 },
  );
  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        <LiveStatus fetchedAt={overview.fetchedAt} />
      </div>
      {shown.slice(0, LIVE_REGIONS).map((r) => (
        <LiveRegion key={r.publicKey} region={r.publicKey} onEvent={refetch} />
      ))}
      <ErrorBox error={overview.error} />
      <section className="cards" aria-label="Totals">
        <Card label="Regions" value={formatCount(regions.length)} />
        <Card label="Envelopes" value={formatCount(totals.envelopes)} />
        <Card label="Stored" value={formatBytes(totals.bytes)} />
        <Card label="People" value={formatCount(totals.people)} />
        <Card label="Over their limit" value={formatCount(totals.over)} warn={totals.over > 0} />
      </section>
      {me.role === 'HUB_ADMIN' && <QueueSummary compact />}
      <section aria-labelledby="regions-title">
        <div className="section-head">
          <h2 id="regions-title">Regions</h2>
          <label className="field inline">
            <span>Filter</span>
            <input type="search" value={filter} placeholder="name or key" onChange={(e) => (setFilter(e.target.value), setPage(0))} />
          </label>
        </div>
        {!overview.data && !overview.error && <Loading what="regions" />}
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Region</th>
                <th scope="col" className="num">Envelopes</th>
                <th scope="col" className="num">People</th>
                <th scope="col" className="num">Stored</th>
                <th scope="col" className="num">Over limit</th>
                <th scope="col" className="num">Within 10 %</th>
                <th scope="col" className="num">Ingest, last hour</th>
                <th scope="col">Bytes, 24 h</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.publicKey}>
                  <th scope="row">
                    <Link to={`/regions/${r.publicKey}`}>{r.name}</Link>
                    <div className="muted small mono">{shortKey(r.publicKey)}</div>
                  </th>
                  <td className="num">{formatCount(r.stats.envelopes)}</td>
                  <td className="num">{formatCount(r.stats.people)}</td>
                  <td className="num">{formatBytes(r.stats.bytes)}</td>
                  <td className={`num ${r.stats.peopleOverLimit ? 'level-over' : ''}`}>{formatCount(r.stats.peopleOverLimit)}</td>
                  <td className={`num ${r.stats.peopleNearLimit ? 'level-near' : ''}`}>{formatCount(r.stats.peopleNearLimit)}</td>
                  <td className="num">
                    {formatCount(r.stats.ingestLastHour.envelopes)} · {formatBytes(r.stats.ingestLastHour.bytes)}
                  </td>
                  <td>
                    <RegionSparkline region={r.publicKey} name={r.name} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {regions.length > PAGE && (
          <nav className="pager" aria-label="Pages">
            <button type="button" onClick={() => setPage(page - 1)} disabled={page === 0}>
              ⟨ Previous
            </button>
            <span>
              {page * PAGE + 1}–{Math.min(regions.length, (page + 1) * PAGE)} of {formatCount(regions.length)}
            </span>
            <button type="button" onClick={() => setPage(page + 1)} disabled={(page + 1) * PAGE >= regions.length}>
              Next ⟩
            </button>
          </nav>
        )}
      </section>
    </>
  );
}
