/**
 * The one transaction helper (src/transaction.ts) on real Postgres: a new transaction commits or
 * rolls back as a whole, a manager already inside one is joined (same transaction, no savepoint),
 * and a savepoint undoes only its own step and leaves the outer transaction usable.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, returnedRows, savepoint } from '@kiki/storage';
import type { EntityManager } from 'typeorm';
import { useTestDataSource } from '../../../test/support/storage';

const t = useTestDataSource(2);

beforeAll(async () => {
  await t.ds.query('CREATE TABLE tx_probe (n int PRIMARY KEY)');
});

async function held(): Promise<number[]> {
  const rows: Array<{ n: number }> = await t.ds.query('SELECT n FROM tx_probe ORDER BY n');
  return rows.map((r) => r.n);
}

const put = (m: EntityManager, n: number) => m.query('INSERT INTO tx_probe (n) VALUES ($1)', [n]);
const txid = async (m: EntityManager): Promise<string> => (await m.query('SELECT txid_current()::text AS id'))[0].id;

describe('inTransaction', () => {
  it('commits when the work resolves and rolls everything back when it throws', async () => {
    await t.ds.query('TRUNCATE tx_probe');
    const done = inTransaction(t.ds, async (m) => {
      await put(m, 1);
      await put(m, 2);
      return 'done';
    });
    await expect(done).resolves.toBe('done');
    const boom = new Error('boom');
    await expect(
      inTransaction(t.ds, async (m) => {
        await put(m, 3);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await held()).toEqual([1, 2]);
  });

  it('sets the isolation level asked for on a new transaction', async () => {
    const level = (opts?: Parameters<typeof inTransaction>[2]) =>
      inTransaction(t.ds, async (m) => (await m.query('SHOW transaction_isolation'))[0].transaction_isolation as string, opts);
    expect(await level({ isolation: 'REPEATABLE READ' })).toBe('repeatable read');
    expect(await level({ isolation: 'READ COMMITTED' })).toBe('read committed');
    expect(await level()).toBe('read committed');
  });

  it('joins the transaction of a manager inside one: same transaction, and a throw aborts the outer work too', async () => {
    await t.ds.query('TRUNCATE tx_probe');
    const ids = await inTransaction(t.ds, async (outer) => {
      await put(outer, 1);
      // a repository called with the caller's manager
      const inner = await inTransaction(
        outer,
        async (m) => {
          await put(m, 2);
          return txid(m);
        },
        { isolation: 'SERIALIZABLE' },
      );
      // joined: the level is the outer one's, the inner rows are visible, nothing committed yet
      expect((await outer.query('SHOW transaction_isolation'))[0].transaction_isolation).toBe('read committed');
      expect(await held()).toEqual([]);
      return [await txid(outer), inner];
    });
    expect(ids[0]).toBe(ids[1]);
    expect(await held()).toEqual([1, 2]);

    await expect(
      inTransaction(t.ds, async (outer) => {
        await put(outer, 3);
        await inTransaction(outer, async (m) => {
          await put(m, 4);
          throw new Error('inner failed');
        });
      }),
    ).rejects.toThrow('inner failed');
    expect(await held()).toEqual([1, 2]);
  });

  it('starts a transaction of its own on a manager outside one', async () => {
    await t.ds.query('TRUNCATE tx_probe');
    await expect(
      inTransaction(t.ds.manager, async (m) => {
        await put(m, 5);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    await inTransaction(t.ds.manager, (m) => put(m, 6));
    expect(await held()).toEqual([6]);
  });
});

describe('savepoint', () => {
  it('undoes only the failed step (even one that broke the transaction) and the outer transaction commits the rest', async () => {
    await t.ds.query('TRUNCATE tx_probe');
    const outcomes = await inTransaction(t.ds, async (m) => {
      const out: string[] = [];
      for (const n of [1, 2, 3]) {
        try {
          await savepoint(m, async (s) => {
            await put(s, n);
            // a failed statement aborts the transaction: only ROLLBACK TO SAVEPOINT revives it
            if (n === 2) await s.query('SELECT 1 / 0');
            // nested: a step may itself use a savepoint
            if (n === 3) await savepoint(s, (inner) => put(inner, 30)).catch(() => undefined);
          });
          out.push(`${n} ok`);
        } catch (err) {
          out.push(`${n} ${(err as Error).message}`);
        }
      }
      await put(m, 4);
      return out;
    });
    expect(outcomes).toEqual(['1 ok', '2 division by zero', '3 ok']);
    expect(await held()).toEqual([1, 3, 4, 30]);
  });

  it('issues SAVEPOINT / ROLLBACK TO SAVEPOINT inside the one transaction (TypeORM nested transactions on Postgres)', async () => {
    await t.ds.query('TRUNCATE tx_probe');
    await inTransaction(t.ds, async (m) => {
      const before = await txid(m);
      await put(m, 1);
      // the same key again: a unique violation inside the savepoint only
      await expect(savepoint(m, (s) => put(s, 1))).rejects.toThrow(/duplicate key/);
      expect(await txid(m)).toBe(before);
      await put(m, 2);
    });
    expect(await held()).toEqual([1, 2]);
  });

  it('refuses a manager outside a transaction (a savepoint there would commit on its own)', async () => {
    await expect(savepoint(t.ds.manager, async () => 1)).rejects.toThrow(/open transaction/);
  });
});

describe('returnedRows', () => {
  it('gives the RETURNING rows of INSERT, UPDATE and DELETE alike', async () => {
    await t.ds.query('TRUNCATE tx_probe');
    expect(returnedRows(await t.ds.query('INSERT INTO tx_probe (n) VALUES (7), (8) RETURNING n'))).toEqual([{ n: 7 }, { n: 8 }]);
    expect(returnedRows(await t.ds.query('UPDATE tx_probe SET n = n + 10 RETURNING n'))).toEqual([{ n: 17 }, { n: 18 }]);
    expect(returnedRows(await t.ds.query('DELETE FROM tx_probe WHERE n = 17 RETURNING n'))).toEqual([{ n: 17 }]);
    expect(returnedRows(await t.ds.query('DELETE FROM tx_probe WHERE n = 0 RETURNING n'))).toEqual([]);
  });
});
