import { useState } from 'react';
import { EvictionHappenedDocument, EvictionsDocument } from '../api/documents';
import { useSubscription } from '../api/live';
import { useCursorPages } from '../api/use-pages';
import { useQuery } from '../api/use-query';
import { ErrorBox, Loading } from '../components/Feedback';
import { LiveStatus } from '../components/LiveStatus';
import { Pager } from '../components/Pager';
import { RegionPicker, useDefaultRegion } from '../components/RegionPicker';
import { SearchSelect } from '../components/SearchSelect';
import type { EvictionReason, EvictionRowFragment } from '../gql/graphql';
import { formatBytes, formatDateTime, shortKey } from '../lib/format';
import { setSearch, useLocation } from '../lib/router';

const REASONS: EvictionReason[] = ['SUPERSEDED_IMAGE', 'SUPERSEDED_EDIT', 'LARGE', 'OLDEST', 'UNPROVEN', 'ERASE'];
const toIso = (local: string | null) => (local ? new Date(local).toISOString() : null);

/** A live log of what the hub removed (who, which envelope, why, when), filterable by person, reason and time. */
export function EvictionsPage() {
  const { search } = useLocation();
  const region = useDefaultRegion(search.get('region'));
  const person = search.get('person');
  const reason = (REASONS.find((r) => r === search.get('reason')) ?? null) as EvictionReason | null;
  const since = search.get('since');
  const until = search.get('until');
  const [live, setLive] = useState<EvictionRowFragment[]>([]);
  const filterKey = JSON.stringify([region, person, reason, since, until]);
  const pages = useCursorPages(filterKey);
  const [seenKey, setSeenKey] = useState(filterKey);
  if (seenKey !== filterKey) {
    setSeenKey(filterKey);
    setLive([]);
  }
  const vars = { region: region ?? '', person: person || null, reason, since: toIso(since), until: toIso(until), after: pages.after };
  const page = useQuery(EvictionsDocument, vars, !region);
  const onFirstPage = pages.atFirst;
  useSubscription(EvictionHappenedDocument, region ? { region } : null, (d) => {
    const e = d.evictionHappened;
    const at = Date.parse(e.evictedAt);
    const matches =
      (!person || e.person.publicKey === person) && (!reason || e.reason === reason) && (!since || at >= Date.parse(since)) && (!until || at <= Date.parse(until));
    if (matches) setLive((rows) => [e, ...rows.filter((r) => r.evictionId !== e.evictionId)].slice(0, 200));
  });
  const fetched = page.data?.evictions?.nodes ?? [];
  const liveIds = new Set(live.map((e) => e.evictionId));
  const rows = onFirstPage ? [...live, ...fetched.filter((e) => !liveIds.has(e.evictionId))] : fetched;
  return (
    <>
      <div className="page-head">
        <h1>Evictions</h1>
        <LiveStatus fetchedAt={page.fetchedAt} />
      </div>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <RegionPicker value={region} />
        <label className="field inline">
          <span>Person (public key)</span>
          <input defaultValue={person ?? ''} maxLength={60} onBlur={(e) => setSearch({ person: e.target.value.trim() })} onKeyDown={(e) => e.key === 'Enter' && setSearch({ person: e.currentTarget.value.trim() })} />
        </label>
        <SearchSelect label="Reason" param="reason" value={reason ?? ''} options={REASONS.map((r) => ({ value: r, label: r.toLowerCase().replace('_', ' ') }))} any="Any" />
        <label className="field inline">
          <span>From</span>
          <input type="datetime-local" value={since ?? ''} onChange={(e) => setSearch({ since: e.target.value })} />
        </label>
        <label className="field inline">
          <span>Until</span>
          <input type="datetime-local" value={until ?? ''} onChange={(e) => setSearch({ until: e.target.value })} />
        </label>
      </form>
      <ErrorBox error={page.error} />
      {region && !page.data && !page.error && <Loading what="evictions" />}
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Evictions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Envelope</th>
              <th scope="col">Why</th>
              <th scope="col" className="num">Size</th>
              <th scope="col" className="num">Their limit</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.evictionId} className={liveIds.has(e.evictionId) ? 'row-new' : undefined} data-eviction={e.envelopeId}>
                <td>{formatDateTime(e.evictedAt)}</td>
                <td>
                  {e.person.name ?? <span className="muted">unnamed</span>}
                  <div className="muted small mono">{shortKey(e.person.publicKey)}</div>
                </td>
                <td className="mono small">{shortKey(e.envelopeId)}</td>
                <td>
                  <span className={`tag tag-${e.reason.toLowerCase()}`}>{e.reason.toLowerCase().replace('_', ' ')}</span>
                  {e.purpose && <div className="muted small">{e.purpose}</div>}
                </td>
                <td className="num">{formatBytes(e.size)}</td>
                <td className="num">{formatBytes(e.limitBytes)}</td>
              </tr>
            ))}
            {region && page.data && rows.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No evictions match. New ones appear here as they happen.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager pages={pages} pageInfo={page.data?.evictions?.pageInfo} />
    </>
  );
}
