import { AuditDocument } from '../api/documents';
import { useCursorPages } from '../api/use-pages';
import { useQuery } from '../api/use-query';
import { ErrorBox, Loading } from '../components/Feedback';
import { LiveStatus } from '../components/LiveStatus';
import { Pager } from '../components/Pager';
import { RegionPicker } from '../components/RegionPicker';
import { formatDateTime, shortKey } from '../lib/format';
import { useLocation } from '../lib/router';

/** before/after are JSON text: shown compactly, one key per line when it is an object. */
function Json({ text }: { text: string | null | undefined }) {
  if (!text) return <span className="muted">—</span>;
  const parsed = parseJson(text);
  if (!parsed) return <code>{text}</code>;
  const { value } = parsed;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return (
      <dl className="kv">
        {Object.entries(value).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v === null ? 'null' : String(v)}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return <code>{JSON.stringify(value)}</code>;
}

/** The value of JSON text, or null when it is not JSON (then shown as it is). */
function parseJson(text: string): { value: unknown } | null {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return null;
  }
}

/** Every admin action: who, what, before → after, when. */
export function AuditPage() {
  const { search } = useLocation();
  const region = search.get('region');
  const pages = useCursorPages(region ?? '');
  const page = useQuery(AuditDocument, { region: region || null, after: pages.after });
  const rows = page.data?.auditLog?.nodes ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
        <LiveStatus fetchedAt={page.fetchedAt} live={false} />
      </div>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <RegionPicker value={region} allowAll />
        <button type="button" onClick={() => void page.refetch()}>
          Refresh
        </button>
      </form>
      <ErrorBox error={page.error} />
      {!page.data && !page.error && <Loading what="the audit log" />}
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Admin actions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Target</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id} data-audit={a.action}>
                <td>{formatDateTime(a.at)}</td>
                <td>{a.actor}</td>
                <td>
                  <code>{a.action}</code>
                  {a.region && <div className="muted small mono">{shortKey(a.region)}</div>}
                </td>
                <td className="mono small">{a.target ? shortKey(a.target) : '—'}</td>
                <td>
                  <Json text={a.before} />
                </td>
                <td>
                  <Json text={a.after} />
                </td>
              </tr>
            ))}
            {page.data && rows.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No admin action recorded yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pager pages={pages} pageInfo={page.data?.auditLog?.pageInfo} />
    </>
  );
}
