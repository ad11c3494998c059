import type { EnvelopeRepository, EnvelopeRow, InsertResult, RemovedReason } from '@kiki/storage';

/** What became of one caller's row. */
export type RowOutcome =
  | { kind: 'stored'; seq: number }
  /** the region already held it, or a concurrent caller's row with the same id went in first */
  | { kind: 'held' }
  | { kind: 'tombstoned'; reason: RemovedReason };

/** A row to insert, with its envelope id as the caller received it. */
export interface InsertItem {
  id: string;
  row: EnvelopeRow;
}

/** A merged statement's rows that were stored, once each, in seq order: for after-commit work. */
export interface StoredRow extends InsertItem {
  seq: number;
}

interface Waiter {
  rows: InsertItem[];
  resolve(outcomes: RowOutcome[]): void;
  reject(err: unknown): void;
}

interface RegionQueue {
  inFlight: number;
  waiting: Waiter[];
}

export interface BatchInserterOptions {
  /** rows per merged statement; a caller with more goes alone */
  maxRows: number;
  /**
   * statements of one region sent at once: with 2, the next statement is already in Postgres
   * (sent, bound, waiting for the region's lock) when the running one commits, as without
   * merging; with 1 the lock would sit idle for a round trip between statements.
   */
  perRegion: number;
}

/**
 * Group commit for ingest: the inserts of one region that arrive while its statements are in
 * flight (`perRegion` at most) wait, and then go in together as one statement.
 *
 * Why: a region's inserts run one at a time anyway (each holds the region's counter row until it
 * commits, so cursors never skip), and every statement pays a lock, a commit, a WAL flush and a
 * round trip. The original kiki routes store one envelope per request, so an original instance
 * syncing with the hub paid all of that per envelope: ~1.5 ms of Postgres CPU and ~1.4 ms of hub
 * CPU each, ~500 envelopes/s with 20 such clients. Merging costs nothing when a region is idle (a
 * lone insert starts at once) and each caller is still answered only after the statement holding
 * its rows has committed and the after-commit work has been handed its rows (AfterCommit.run:
 * what a follower does synchronously, such as the reconciliation index, is done by then).
 *
 * A merged statement that fails is retried caller by caller, so one caller's rows never fail
 * another's. `onStored` runs once per committed statement, with its stored rows.
 */
export class BatchInserter<R extends { regionId: number }> {
  private readonly queues = new Map<number, RegionQueue>();

  constructor(
    private readonly envelopes: Pick<EnvelopeRepository, 'insertBatch'>,
    private readonly options: BatchInserterOptions,
    /** after-commit work, before the statement's callers are answered */
    private readonly onStored: (region: R, stored: StoredRow[]) => void | Promise<void>,
  ) {}

  /** Inserts `rows` (ids unique among them) into `region` and tells what became of each, in order. */
  insert(region: R, rows: InsertItem[]): Promise<RowOutcome[]> {
    let q = this.queues.get(region.regionId);
    if (!q) {
      q = { inFlight: 0, waiting: [] };
      this.queues.set(region.regionId, q);
    }
    const queue = q;
    return new Promise<RowOutcome[]>((resolve, reject) => {
      queue.waiting.push({ rows, resolve, reject });
      this.pump(region, queue);
    });
  }

  /** Sends the next merged statements while the region has fewer than `perRegion` in flight. */
  private pump(region: R, q: RegionQueue): void {
    while (q.inFlight < this.options.perRegion && q.waiting.length > 0) {
      const group: Waiter[] = [q.waiting.shift() as Waiter];
      let count = group[0].rows.length;
      while (q.waiting.length > 0 && count + q.waiting[0].rows.length <= this.options.maxRows) {
        const next = q.waiting.shift() as Waiter;
        group.push(next);
        count += next.rows.length;
      }
      q.inFlight++;
      void this.insertGroup(region, group)
        .catch((err) => group.forEach((w) => w.reject(err))) // settled callers ignore this
        .finally(() => {
          q.inFlight--;
          if (q.inFlight === 0 && q.waiting.length === 0 && this.queues.get(region.regionId) === q) this.queues.delete(region.regionId);
          else this.pump(region, q);
        });
    }
  }

  private async insertGroup(region: R, group: Waiter[]): Promise<void> {
    let result: InsertResult;
    try {
      result = await this.envelopes.insertBatch(region.regionId, group.flatMap((w) => w.rows.map((r) => r.row)));
    } catch (err) {
      if (group.length === 1) group[0].reject(err);
      else for (const w of group) await this.insertGroup(region, [w]);
      return;
    }
    // Callers are answered in queue order; an id two callers sent is stored for the first only.
    const claimed = new Set<string>();
    const stored: StoredRow[] = [];
    const answers = group.map((w) =>
      w.rows.map(({ id, row }): RowOutcome => {
        const hex = row.id.toString('hex');
        const seq = result.stored.get(hex);
        if (seq !== undefined && !claimed.has(hex)) {
          claimed.add(hex);
          stored.push({ id, row, seq });
          return { kind: 'stored', seq };
        }
        const reason = result.existing.get(hex);
        return reason ? { kind: 'tombstoned', reason } : { kind: 'held' };
      }),
    );
    if (stored.length > 0) {
      stored.sort((a, b) => a.seq - b.seq);
      try {
        await this.onStored(region, stored);
      } catch {
        // after-commit work only (its owner logs); the rows are committed, so callers hear so
      }
    }
    group.forEach((w, i) => w.resolve(answers[i]));
  }
}
