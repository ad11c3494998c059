import { beforeAll, describe, expect, it } from 'vitest';
import { EnvelopeRepository, type EnvelopeRow } from '@kiki/storage';
import { BatchInserter, type InsertItem, type StoredRow } from '../../apps/hub/src/ingest/batch-inserter';
import { envelopeRow, storageRegion } from '../support/rows';
import { useTestDataSource } from '../support/storage';

// Group commit of ingest, on a real Postgres: what one region's concurrent callers get back.
const t = useTestDataSource(4);
let repo: EnvelopeRepository;

beforeAll(() => {
  repo = new EnvelopeRepository(t.ds);
});

async function region(): Promise<{ regionId: number }> {
  return { regionId: await storageRegion(t.ds) };
}

function item(over: Partial<EnvelopeRow> = {}): InsertItem {
  const row = envelopeRow('alice', over);
  return { id: row.id.toString('hex'), row };
}

/** The real repository, with each statement's row count written down (and how many ran at once). */
function recording() {
  const statements: number[] = [];
  let running = 0;
  let maxRunning = 0;
  const envelopes = {
    async insertBatch(regionId: number, rows: EnvelopeRow[]) {
      statements.push(rows.length);
      maxRunning = Math.max(maxRunning, ++running);
      try {
        return await repo.insertBatch(regionId, rows);
      } finally {
        running--;
      }
    },
  };
  return { envelopes, statements, maxRunning: () => maxRunning };
}

describe('BatchInserter', () => {
  it('starts a lone insert at once and merges the callers that arrive while it runs into one statement', async () => {
    const r = await region();
    const rec = recording();
    const notices: StoredRow[][] = [];
    const inserter = new BatchInserter(rec.envelopes, { maxRows: 1000, perRegion: 1 }, async (_r, stored) => {
      notices.push(stored);
    });
    const first = inserter.insert(r, [item()]);
    const rest = Array.from({ length: 10 }, () => inserter.insert(r, [item(), item()]));
    const answers = await Promise.all([first, ...rest]);
    expect(rec.statements).toEqual([1, 20]);
    expect(answers.flat().every((a) => a.kind === 'stored')).toBe(true);
    const seqs = answers.flat().map((a) => (a.kind === 'stored' ? a.seq : 0));
    expect(seqs).toEqual(Array.from({ length: 21 }, (_, i) => i + 1)); // callers' rows in queue order
    expect(notices.map((n) => n.length)).toEqual([1, 20]);
    expect(notices[1].map((s) => s.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
  });

  it('keeps perRegion statements of a region in flight (the next one waits in Postgres, not in the hub)', async () => {
    const r = await region();
    const rec = recording();
    const inserter = new BatchInserter(rec.envelopes, { maxRows: 1000, perRegion: 2 }, async () => {});
    const answers = await Promise.all(Array.from({ length: 11 }, (_, i) => inserter.insert(r, i === 0 ? [item()] : [item(), item()])));
    expect(rec.statements).toEqual([1, 2, 18]);
    expect(rec.maxRunning()).toBe(2);
    const seqs = answers.flat().map((a) => (a.kind === 'stored' ? a.seq : 0));
    expect(new Set(seqs).size).toBe(21); // every row stored once, whichever statement took the lock first
    expect(Math.max(...seqs)).toBe(21);
  });

  it('stores an id that two concurrent callers sent once, for the first; held and tombstoned ids are told apart', async () => {
    const r = await region();
    const held = item();
    const gone = item();
    await repo.insertBatch(r.regionId, [held.row, gone.row]);
    await repo.remove(r.regionId, [gone.row.id], 'erase');
    const rec = recording();
    const notices: StoredRow[][] = [];
    const inserter = new BatchInserter(rec.envelopes, { maxRows: 1000, perRegion: 1 }, async (_r, stored) => {
      notices.push(stored);
    });
    const same = item();
    const [, a, b, c] = await Promise.all([
      inserter.insert(r, [item()]),
      inserter.insert(r, [same, held]),
      inserter.insert(r, [{ ...same }, gone]),
      inserter.insert(r, [same]),
    ]);
    expect(rec.statements).toEqual([1, 5]);
    expect(a.map((o) => o.kind)).toEqual(['stored', 'held']);
    expect(b).toEqual([{ kind: 'held' }, { kind: 'tombstoned', reason: 'erase' }]);
    expect(c).toEqual([{ kind: 'held' }]);
    expect(notices[1].map((s) => s.id)).toEqual([same.id]); // after-commit work sees it once
  });

  it('never merges past maxRows, and a caller larger than that goes alone', async () => {
    const r = await region();
    const rec = recording();
    const inserter = new BatchInserter(rec.envelopes, { maxRows: 5, perRegion: 1 }, async () => {});
    await Promise.all([
      inserter.insert(r, [item()]),
      ...Array.from({ length: 7 }, () => inserter.insert(r, [item()])),
      inserter.insert(r, Array.from({ length: 6 }, () => item())),
      inserter.insert(r, [item(), item()]),
    ]);
    expect(rec.statements).toEqual([1, 5, 2, 6, 2]);
  });

  it("retries a failed merged statement caller by caller: one caller's rows never fail another's", async () => {
    const r = await region();
    const rec = recording();
    const inserter = new BatchInserter(rec.envelopes, { maxRows: 1000, perRegion: 1 }, async () => {});
    const first = inserter.insert(r, [item()]);
    const good1 = inserter.insert(r, [item()]);
    const bad = inserter.insert(r, [item({ publicContent: 'nul\u0000' })]); // the repository refuses it
    const good2 = inserter.insert(r, [item(), item()]);
    const settled = await Promise.allSettled([first, good1, bad, good2]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(RangeError);
    expect(rec.statements).toEqual([1, 4, 1, 1, 2]);
    const [{ n }] = await t.ds.query('SELECT count(*)::int AS n FROM envelope WHERE region_id = $1', [r.regionId]);
    expect(n).toBe(4);
  });

  it('answers callers only after the after-commit work, and runs regions side by side', async () => {
    const [r1, r2] = [await region(), await region()];
    const rec = recording();
    const done: string[] = [];
    const inserter = new BatchInserter(rec.envelopes, { maxRows: 1000, perRegion: 1 }, async (r) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done.push(`notified ${r.regionId}`);
    });
    await Promise.all([
      inserter.insert(r1, [item()]).then(() => done.push(`answered ${r1.regionId}`)),
      inserter.insert(r2, [item()]).then(() => done.push(`answered ${r2.regionId}`)),
    ]);
    expect(rec.maxRunning()).toBe(2);
    expect(done.indexOf(`notified ${r1.regionId}`)).toBeLessThan(done.indexOf(`answered ${r1.regionId}`));
    expect(done.indexOf(`notified ${r2.regionId}`)).toBeLessThan(done.indexOf(`answered ${r2.regionId}`));
  });
});
