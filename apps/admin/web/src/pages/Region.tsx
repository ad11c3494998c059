import { useState } from 'react';
import { EvictionHappenedDocument, PeopleDocument, RegionDocument } from '../api/documents';
import { useSubscription } from '../api/live';
import { useThrottled } from '../api/use-debounced';
import { useCursorPages } from '../api/use-pages';
import { useQuery } from '../api/use-query';
import { PolicyForm, TierForm } from '../components/ChangeForms';
import { Card } from '../components/Card';
import { Dialog } from '../components/Dialog';
import { ErrorBox, Loading } from '../components/Feedback';
import { LiveStatus } from '../components/LiveStatus';
import { Pager } from '../components/Pager';
import { SearchSelect } from '../components/SearchSelect';
import { UsageBar } from '../components/UsageBar';
import type { PersonOrder, QuotaTier } from '../gql/graphql';
import { formatBytes, formatCount, formatDateTime, formatRelative, shortKey } from '../lib/format';
import { Link, setSearch, useLocation } from '../lib/router';

const ORDERS: { value: PersonOrder; label: string }[] = [
  { value: 'PRESSURE_DESC', label: 'Pressure (usage ÷ limit)' },
  { value: 'USAGE_DESC', label: 'Usage' },
  { value: 'ENVELOPES_DESC', label: 'Envelopes' },
  { value: 'PUBLIC_KEY', label: 'Public key' },
];

interface Editing {
  publicKey: string;
  name: string | null;
  tier: QuotaTier;
  override: number | null;
}

/** One region: its people by pressure or usage (server-side paging and search), tier and policy changes with a dry run. */
export function RegionPage({ region }: { region: string }) {
  const { search } = useLocation();
  const orderBy = (ORDERS.find((o) => o.value === search.get('order'))?.value ?? 'PRESSURE_DESC') as PersonOrder;
  const q = search.get('q') ?? '';
  const pages = useCursorPages(`${orderBy} ${q}`);
  const after = pages.after;
  const header = useQuery(RegionDocument, { region });
  const people = useQuery(PeopleDocument, { region, orderBy, search: q || null, first: 50, after });
  const [editing, setEditing] = useState<Editing>();
  const [policyOpen, setPolicyOpen] = useState(false);
  const [searchText, setSearchText] = useState(q);
  const refreshAll = () => {
    void header.refetch();
    void people.refetch();
  };
  const onLive = useThrottled(refreshAll, 2000);
  useSubscription(EvictionHappenedDocument, { region }, onLive);
  const r = header.data?.region;
  const page = people.data?.persons;
  const exportHref = `/api/export/people.csv?${new URLSearchParams({ region, orderBy, ...(q ? { search: q } : {}) })}`;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link to="/">Overview</Link> / region
          </p>
          <h1>{r?.name ?? shortKey(region)}</h1>
          <p className="muted small mono">{region}</p>
        </div>
        <LiveStatus fetchedAt={people.fetchedAt} />
      </div>
      <ErrorBox error={header.error ?? people.error} />
      {r && (
        <section className="cards" aria-label="Region totals">
          <Card label="Envelopes" value={formatCount(r.stats.envelopes)} />
          <Card label="Stored" value={formatBytes(r.stats.bytes)} />
          <Card label="People" value={formatCount(r.stats.people)} />
          <Card label="Over · near limit" value={`${formatCount(r.stats.peopleOverLimit)} · ${formatCount(r.stats.peopleNearLimit)}`} warn={r.stats.peopleOverLimit > 0} />
          <Card label="Limits: default · trusted" value={`${formatBytes(r.quotaPolicy.defaultBytes)} · ${formatBytes(r.quotaPolicy.trustedBytes)}`} small>
            <button type="button" onClick={() => setPolicyOpen(true)}>
              Change policy…
            </button>
          </Card>
        </section>
      )}
      <section aria-labelledby="people-title">
        <div className="section-head">
          <h2 id="people-title">People</h2>
          <form
            className="filters"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              setSearch({ q: searchText });
            }}
          >
            <SearchSelect label="Sort by" param="order" value={orderBy} options={ORDERS} />
            <label className="field inline">
              <span>Search</span>
              <input type="search" value={searchText} placeholder="key prefix or name" maxLength={200} onChange={(e) => setSearchText(e.target.value)} />
            </label>
            <button type="submit">Search</button>
            <a className="button" href={exportHref} download>
              Export CSV
            </a>
          </form>
        </div>
        {!page && !people.error && <Loading what="people" />}
        {page && (
          <div className="table-wrap">
            <table aria-describedby="people-title">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Usage</th>
                  <th scope="col">Tier</th>
                  <th scope="col" className="num">Envelopes</th>
                  <th scope="col" className="num">Ingest, last hour</th>
                  <th scope="col">Full</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.nodes.map((p) => (
                  <tr key={p.publicKey} data-person={p.publicKey}>
                    <th scope="row">
                      {p.name ?? <span className="muted">unnamed</span>}
                      <div className="muted small mono">{shortKey(p.publicKey)}</div>
                    </th>
                    <td>
                      <UsageBar usage={p.usage} limit={p.limit ?? null} label={`usage of ${p.name ?? shortKey(p.publicKey)}`} />
                    </td>
                    <td>
                      {p.tier.toLowerCase()}
                      {p.override !== null && p.override !== undefined && <div className="muted small">own limit {formatBytes(p.override)}</div>}
                    </td>
                    <td className="num">{formatCount(p.envelopeCount)}</td>
                    <td className="num">{formatBytes(p.ingestBytesLastHour)}</td>
                    <td title={formatDateTime(p.projectedFullAt)}>
                      {p.limit !== null && p.limit !== undefined && p.usage >= p.limit ? (
                        <span className="level-over">full now</span>
                      ) : p.projectedFullAt ? (
                        formatRelative(p.projectedFullAt)
                      ) : (
                        <span className="muted">not growing</span>
                      )}
                    </td>
                    <td>
                      <button type="button" onClick={() => setEditing({ publicKey: p.publicKey, name: p.name ?? null, tier: p.tier, override: p.override ?? null })}>
                        Change tier<span className="sr-only"> of {p.name ?? p.publicKey}</span>
                      </button>
                    </td>
                  </tr>
                ))}
                {page.nodes.length === 0 && (
                  <tr>
                    <td colSpan={7} className="muted">
                      Nobody {q ? 'matches this search' : 'has stored anything here yet'}.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        )}
        <Pager pages={pages} pageInfo={page?.pageInfo} />
      </section>
      <Dialog title={`Change the tier of ${editing?.name ?? shortKey(editing?.publicKey ?? '')}`} open={!!editing} onClose={() => setEditing(undefined)}>
        {editing && (
          <TierForm
            region={region}
            publicKey={editing.publicKey}
            tier={editing.tier}
            override={editing.override}
            onDone={() => {
              setEditing(undefined);
              refreshAll();
            }}
          />
        )}
        <button type="button" className="close" onClick={() => setEditing(undefined)}>
          Cancel
        </button>
      </Dialog>
      <Dialog title="Change the region's quota policy" open={policyOpen} onClose={() => setPolicyOpen(false)}>
        {r && (
          <PolicyForm
            region={region}
            defaultBytes={r.quotaPolicy.defaultBytes}
            trustedBytes={r.quotaPolicy.trustedBytes}
            onDone={() => {
              setPolicyOpen(false);
              refreshAll();
            }}
          />
        )}
        <button type="button" className="close" onClick={() => setPolicyOpen(false)}>
          Cancel
        </button>
      </Dialog>
    </>
  );
}
