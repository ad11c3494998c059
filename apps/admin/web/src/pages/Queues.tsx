import { useEffect } from 'react';
import { QueueHealthDocument } from '../api/documents';
import { useQuery } from '../api/use-query';
import { ErrorBox } from '../components/Feedback';
import { LiveStatus } from '../components/LiveStatus';
import { QueueSummary } from '../components/QueueSummary';
import { formatCount, shortKey } from '../lib/format';
import { Link } from '../lib/router';

/** Hub admins: sweep timing, worker liveness, failed quota jobs per region, and the job board. */
export function QueuesPage() {
  const { data, error, fetchedAt, refetch } = useQuery(QueueHealthDocument, {});
  const failed = data?.queueHealth.failedByRegion ?? [];
  // queue counts have no subscription: one small query every 15 s while this page is open
  useEffect(() => {
    const t = setInterval(() => void refetch(), 15_000);
    return () => clearInterval(t);
  }, [refetch]);
  return (
    <>
      <div className="page-head">
        <h1>Queues</h1>
        <LiveStatus fetchedAt={fetchedAt} live={false} />
      </div>
      <QueueSummary key={fetchedAt ?? 0} />
      <ErrorBox error={error} />
      <section aria-labelledby="failed-title">
        <div className="section-head">
          <h2 id="failed-title">Failed quota jobs by region</h2>
          <button type="button" onClick={() => void refetch()}>
            Refresh
          </button>
        </div>
        {failed.length === 0 ? (
          <p className="muted">No failed jobs.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Region</th>
                  <th scope="col" className="num">Failed jobs</th>
                </tr>
              </thead>
              <tbody>
                {failed.map((f) => (
                  <tr key={f.region}>
                    <th scope="row" className="mono">
                      <Link to={`/regions/${f.region}`}>{shortKey(f.region)}</Link>
                    </th>
                    <td className="num level-over">{formatCount(f.failed)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p>
          <a className="button" href="/queues">
            Open the job board (retry, details)
          </a>
        </p>
      </section>
    </>
  );
}
