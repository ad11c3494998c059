import { QueueHealthDocument } from '../api/documents';
import { useQuery } from '../api/use-query';
import { formatCount, formatDateTime, formatRelative } from '../lib/format';
import { ErrorBox } from './Feedback';

/** Quota queue health (hub admins): sweeps, workers, job counts; a warning when no worker is alive. */
export function QueueSummary({ compact = false }: { compact?: boolean }) {
  const { data, error } = useQuery(QueueHealthDocument, {});
  if (error) return <ErrorBox error={error} />;
  if (!data) return null;
  const q = data.queueHealth;
  return (
    <section aria-labelledby="queue-title" className="queue-summary">
      <h2 id="queue-title">Quota queue</h2>
      {q.workersAlive === 0 && (
        <div className="warning" role="alert">
          <strong>No quota worker is alive.</strong> Nothing is evicted and no sweep runs: start <code>npm run worker</code> or set
          RUN_WORKERS=true on a hub.
        </div>
      )}
      <dl className="facts">
        <div>
          <dt>Workers alive</dt>
          <dd>{formatCount(q.workersAlive)}</dd>
        </div>
        <div>
          <dt>Last sweep</dt>
          <dd title={formatDateTime(q.lastSweepAt)}>{formatRelative(q.lastSweepAt)}</dd>
        </div>
        <div>
          <dt>Next sweep</dt>
          <dd title={formatDateTime(q.nextSweepAt)}>{formatRelative(q.nextSweepAt)}</dd>
        </div>
        <div>
          <dt>Waiting · active · delayed</dt>
          <dd>
            {formatCount(q.waiting)} · {formatCount(q.active)} · {formatCount(q.delayed)}
          </dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd className={q.failed ? 'level-over' : ''}>{formatCount(q.failed)}</dd>
        </div>
      </dl>
      {compact && (
        <p>
          <a href="/queues">Open the job board</a> for details and retries.
        </p>
      )}
    </section>
  );
}
