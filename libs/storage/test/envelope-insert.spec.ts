import { beforeAll, describe, expect, it } from 'vitest';
import { EnvelopeRepository, ReadRepository } from '@kiki/storage';
import { envelopeRow, storageRegion } from '../../../test/support/rows';
import { useTestDataSource } from '../../../test/support/storage';

// EnvelopeRepository.insertBatch: one self-committing statement (counter, rows, usage).
const t = useTestDataSource(2);
let repo: EnvelopeRepository;

beforeAll(() => {
  repo = new EnvelopeRepository(t.ds);
});

const region = () => storageRegion(t.ds);
const row = envelopeRow;

async function usage(regionId: number): Promise<Record<string, { bytes: number; envelopes: number }>> {
  const rows: Array<{ person: string; bytes: string; envelopes: number }> = await t.ds.query('SELECT person, bytes, envelopes FROM person_usage WHERE region_id = $1', [regionId]);
  return Object.fromEntries(rows.map((r) => [r.person, { bytes: Number(r.bytes), envelopes: r.envelopes }]));
}

describe('insertBatch', () => {
  it('gives seqs in input order, stores every column as sent, and counts usage (actions exempt)', async () => {
    const id = await region();
    const action = row('alice', { purpose: 'action-assign/name', publicContent: 'Alice, "the first" \\ é 🎉\n', firstId: 'x,y' });
    const rows = [row('alice'), row('bob'), action, row('alice')];
    const out = await repo.insertBatch(id, rows);
    expect([...out.stored.values()]).toEqual([1, 2, 3, 4]);
    expect(out.lastSeq).toBe(4);
    const stored: any[] = await t.ds.query('SELECT id, seq, sender, signature, sealed_recipients, sealed_letter, size, purpose, first_id, public_content FROM envelope WHERE region_id = $1 ORDER BY seq', [id]);
    expect(stored.map((s) => s.id)).toEqual(rows.map((r) => r.id));
    expect(stored[2]).toMatchObject({ purpose: 'action-assign/name', first_id: 'x,y', public_content: 'Alice, "the first" \\ é 🎉\n', sealed_recipients: ['BoxOne58', 'BoxTwo58'] });
    expect(stored.map((s) => s.sealed_letter)).toEqual(rows.map((r) => r.sealedLetter));
    const size = rows[0].size;
    expect(await usage(id)).toEqual({ alice: { bytes: 2 * size, envelopes: 3 }, bob: { bytes: size, envelopes: 1 } });
    expect(await new ReadRepository(t.ds).regionVersion(id)).toEqual({ lastSeq: 4, removedSeq: 0 });
  });

  it('stores a repeated id once and reports held and tombstoned ids without counting them again', async () => {
    const id = await region();
    const [a, b] = [row('carol'), row('carol')];
    await repo.insertBatch(id, [a, b]);
    await repo.remove(id, [b.id], 'quota');
    const c = row('carol');
    const out = await repo.insertBatch(id, [a, c, { ...c }, b]);
    expect([...out.stored.keys()]).toEqual([c.id.toString('hex')]);
    expect(out.existing).toEqual(new Map([[a.id.toString('hex'), null], [b.id.toString('hex'), 'quota']]));
    expect((await usage(id)).carol).toEqual({ bytes: 2 * a.size, envelopes: 2 });
  });

  it('refuses a text that would break the packed columns, before anything is written', async () => {
    const id = await region();
    await expect(repo.insertBatch(id, [row('dave'), row('dave', { signature: 'a,b' })])).rejects.toThrow(RangeError);
    await expect(repo.insertBatch(id, [row('dave', { sealedRecipients: ['one two'] })])).rejects.toThrow(RangeError);
    // texts Postgres cannot hold would fail the statement: refused by name instead
    await expect(repo.insertBatch(id, [row('dave', { publicContent: 'nul\u0000' })])).rejects.toThrow(/cannot store/);
    await expect(repo.insertBatch(id, [row('dave', { replyTo: 'lone \ud800' })])).rejects.toThrow(/cannot store/);
    expect(await t.ds.query('SELECT count(*)::int AS n FROM envelope WHERE region_id = $1', [id])).toEqual([{ n: 0 }]);
    expect(await new ReadRepository(t.ds).regionVersion(id)).toEqual({ lastSeq: 0, removedSeq: 0 });
  });

  it('fails for a region without a counter and stores nothing', async () => {
    await expect(repo.insertBatch(999_999, [row('erin')])).rejects.toThrow();
    expect(await t.ds.query('SELECT count(*)::int AS n FROM envelope WHERE region_id = 999999')).toEqual([{ n: 0 }]);
  });

  it('deleting a region deletes its envelopes and their eviction records (the trigger that replaced the foreign key)', async () => {
    const [gone, kept] = [await region(), await region()];
    const rows = [row('gil'), row('gil')];
    await repo.insertBatch(gone, rows);
    await repo.insertBatch(kept, [row('gil')]);
    await t.ds.query(`INSERT INTO eviction (region_id, envelope_id, person, reason, size) VALUES ($1, $2, 'gil', 'oldest', 1)`, [gone, rows[0].id]);
    await t.ds.query('DELETE FROM region WHERE region_id = $1', [gone]);
    const count = async (table: string, regionId: number) => (await t.ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE region_id = $1`, [regionId]))[0].n;
    expect([await count('envelope', gone), await count('eviction', gone), await count('person_usage', gone)]).toEqual([0, 0, 0]);
    expect(await count('envelope', kept)).toBe(1);
    // and nothing can be stored for it any more: its counter went with it
    await expect(repo.insertBatch(gone, [row('gil')])).rejects.toThrow(/no sequence row/);
    expect(await count('envelope', gone)).toBe(0);
  });

  it('a removal moves removed_seq with the counter, an append only the counter', async () => {
    const id = await region();
    const rows = [row('fay'), row('fay')];
    await repo.insertBatch(id, rows);
    await repo.remove(id, [rows[0].id], 'admin');
    await repo.insertBatch(id, [row('fay')]);
    expect(await new ReadRepository(t.ds).regionVersion(id)).toEqual({ lastSeq: 4, removedSeq: 3 });
  });
});
