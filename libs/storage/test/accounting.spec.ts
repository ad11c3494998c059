/**
 * The accounting and limit rules are written once (src/accounting.ts) as functions, with SQL
 * built from the same constants; these tests hold the SQL to the functions on real Postgres rows:
 * what ingest adds, what removal gives back, what the sweep's scan recomputes, and who is over.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accountSql,
  countedSql,
  countsTowardQuota,
  EnvelopeRepository,
  type EnvelopeRow,
  FREE_ACTION_MAX_SIZE,
  type LimitInputs,
  OVER_LIMIT_SQL,
  type PersonUsageRow,
  QuotaRepository,
  ReadRepository,
  RegionRepository,
  resolveLimit,
  type SenderPolicy,
  UNPROVEN_POOL,
  usageAccount,
  usagePressure,
} from '@kiki/storage';
import { envelopeRow, storageRegion } from '../../../test/support/rows';
import { useTestDataSource } from '../../../test/support/storage';

const t = useTestDataSource(2);
let envelopes: EnvelopeRepository;

beforeAll(() => {
  envelopes = new EnvelopeRepository(t.ds);
});

const PURPOSES = [null, 'share-text', 'share-key', 'action-like', 'action-erase', 'action-assign/profile'];
const SIZES = [44, FREE_ACTION_MAX_SIZE - 4, FREE_ACTION_MAX_SIZE, FREE_ACTION_MAX_SIZE + 4, 9000];

/** Every purpose × size × proven combination, from two senders, with letters of exactly that kiki size. */
function grid(senders: string[]): EnvelopeRow[] {
  const rows: EnvelopeRow[] = [];
  for (const sender of senders)
    for (const purpose of PURPOSES)
      for (const size of SIZES)
        for (const proven of [false, true]) {
          const letter = randomBytes((size / 4) * 3);
          rows.push(envelopeRow(sender, { purpose, size: letter.toString('base64').length, sealedLetter: letter, signatureV2: proven ? 'SiGv2' : null }));
        }
  return rows;
}

/** What the functions say each account holds. */
function expected(rows: EnvelopeRow[], pooled: boolean): Record<string, { bytes: number; envelopes: number }> {
  const out: Record<string, { bytes: number; envelopes: number }> = {};
  for (const r of rows) {
    const account = usageAccount(r.sender, r.signatureV2 !== null, pooled);
    const u = (out[account] ??= { bytes: 0, envelopes: 0 });
    if (countsTowardQuota(r.purpose, r.size)) u.bytes += r.size;
    u.envelopes += 1;
  }
  return out;
}

async function usage(regionId: number): Promise<Record<string, { bytes: number; envelopes: number }>> {
  const rows: Array<{ person: string; bytes: string; envelopes: number }> = await t.ds.query(
    'SELECT person, bytes, envelopes FROM person_usage WHERE region_id = $1 AND envelopes > 0',
    [regionId],
  );
  return Object.fromEntries(rows.map((r) => [r.person, { bytes: Number(r.bytes), envelopes: r.envelopes }]));
}

describe.each(['v1', 'v2-for-quota'] as SenderPolicy[])('the accounting rule in SQL, sender policy %s', (policy) => {
  const pooled = policy === 'v2-for-quota';

  it('ingest adds, the sweep recomputes and removal gives back exactly what the functions say', async () => {
    const regionId = await storageRegion(t.ds);
    await new RegionRepository(t.ds).updatePolicy(regionId, { senderPolicy: policy });
    const rows = grid(['alice', 'bob']);
    await envelopes.insertBatch(regionId, rows);
    expect(await usage(regionId)).toEqual(expected(rows, pooled));
    // the overview's "arrived in the last hour" counts the same bytes
    const arrived = (await new ReadRepository(t.ds).regionPressure([regionId])).get(regionId)!;
    expect(arrived.ingestEnvelopes).toBe(rows.length);
    expect(arrived.ingestBytes).toBe(rows.reduce((sum, r) => sum + (countsTowardQuota(r.purpose, r.size) ? r.size : 0), 0));

    // the same expressions evaluated per row agree with the functions
    const perRow: Array<{ id: Buffer; counted: boolean; account: string }> = await t.ds.query(
      `SELECT id, ${countedSql()} AS counted, ${accountSql()} AS account FROM envelope WHERE region_id = $1`,
      [regionId],
    );
    const byId = new Map(rows.map((r) => [r.id.toString('hex'), r]));
    for (const r of perRow) {
      const row = byId.get(r.id.toString('hex'))!;
      expect(r.counted).toBe(countsTowardQuota(row.purpose, row.size));
      expect(r.account).toBe(usageAccount(row.sender, row.signatureV2 !== null, pooled));
    }
    // the sweep's scan finds no drift
    expect((await new QuotaRepository(t.ds).sweepFindings(regionId)).drifted).toEqual([]);

    // removing half gives back exactly their share
    const removed = rows.filter((_, i) => i % 2 === 0);
    await envelopes.remove(regionId, removed.map((r) => r.id), 'admin');
    expect(await usage(regionId)).toEqual(expected(rows.filter((_, i) => i % 2 === 1), pooled));
    // and restoring them adds it again
    await envelopes.restore(regionId, removed.map((r) => r.id));
    expect(await usage(regionId)).toEqual(expected(rows, pooled));
  });
});

describe('the limit rule in SQL', () => {
  it('OVER_LIMIT_SQL says "over" exactly when usage exceeds resolveLimit', async () => {
    const regions = new RegionRepository(t.ds);
    const regionId = await storageRegion(t.ds);
    await regions.updatePolicy(regionId, { defaultQuotaBytes: 1000, trustedQuotaBytes: 5000, unprovenPoolBytes: 3000 });
    const region = (await regions.findById(regionId))!;
    const people: Array<{ person: string; tier: 'default' | 'trusted' | 'unlimited'; override: number | null }> = [
      { person: 'plain', tier: 'default', override: null },
      { person: 'trusted', tier: 'trusted', override: null },
      { person: 'unlimited', tier: 'unlimited', override: null },
      { person: 'overridden', tier: 'default', override: 2500 },
      { person: 'trusted-low', tier: 'trusted', override: 500 },
      { person: region.hubPublicKey, tier: 'default', override: null },
      { person: UNPROVEN_POOL, tier: 'default', override: null },
    ];
    const quota = new QuotaRepository(t.ds);
    for (const p of people) if (p.tier !== 'default' || p.override !== null) await quota.setPersonPolicy(regionId, p.person, p.tier, p.override);
    for (const bytes of [0, 499, 500, 501, 1000, 1001, 2500, 2501, 3000, 3001, 5000, 5001, 10 ** 9]) {
      await t.ds.query('DELETE FROM person_usage WHERE region_id = $1', [regionId]);
      await t.ds.query(
        'INSERT INTO person_usage (region_id, person, bytes, envelopes) SELECT $1, p, $3, 1 FROM unnest($2::text[]) AS p',
        [regionId, people.map((p) => p.person), bytes],
      );
      const over: Array<{ person: string }> = await t.ds.query(
        `SELECT u.person FROM person_usage u JOIN region r ON r.region_id = u.region_id
           LEFT JOIN person_policy p ON p.region_id = u.region_id AND p.person = u.person
          WHERE u.region_id = $1 AND ${OVER_LIMIT_SQL} ORDER BY u.person`,
        [regionId],
      );
      const want = people
        .filter((p) => {
          const inputs: LimitInputs = {
            defaultBytes: 1000,
            trustedBytes: 5000,
            unprovenPoolBytes: 3000,
            hubPublicKey: region.hubPublicKey,
            tier: p.tier,
            overrideBytes: p.override,
          };
          const limit = resolveLimit(p.person, inputs);
          return limit !== null && bytes > limit;
        })
        .map((p) => p.person)
        .sort();
      expect(over.map((o) => o.person).sort()).toEqual(want);
      // and the repository's own query, and the policy it reads, agree
      expect((await quota.overLimit(regionId)).sort()).toEqual(want);
      for (const p of people) {
        const policy = (await quota.policy(regionId, p.person))!;
        const limit = resolveLimit(p.person, policy);
        expect(want.includes(p.person)).toBe(limit !== null && bytes > limit);
      }
    }
  });

  it('the persons page by pressure and the overview\'s over/near counts follow resolveLimit', async () => {
    const regions = new RegionRepository(t.ds);
    const regionId = await storageRegion(t.ds);
    const tiers = { defaultBytes: 1000, trustedBytes: 5000, unprovenPoolBytes: 3000 };
    await regions.updatePolicy(regionId, { defaultQuotaBytes: tiers.defaultBytes, trustedQuotaBytes: tiers.trustedBytes, unprovenPoolBytes: tiers.unprovenPoolBytes });
    const region = (await regions.findById(regionId))!;
    type Tier = 'default' | 'trusted' | 'unlimited';
    // people without a policy row at the edges of the default limit (the index-walk part), people
    // with one (ranked one by one), the hub's own identity and the unproven pool
    const people: Array<{ person: string; tier: Tier; override: number | null; bytes: number }> = [
      ...[0, 899, 900, 950, 1000, 1001, 5000].map((bytes) => ({ person: `plain-${bytes}`, tier: 'default' as Tier, override: null, bytes })),
      { person: 'twin-a', tier: 'default', override: null, bytes: 950 },
      { person: 'trusted-near', tier: 'trusted', override: null, bytes: 4600 },
      { person: 'trusted-over', tier: 'trusted', override: null, bytes: 5001 },
      { person: 'unlimited', tier: 'unlimited', override: null, bytes: 10 ** 9 },
      { person: 'overridden', tier: 'default', override: 2500, bytes: 2400 },
      { person: 'trusted-low', tier: 'trusted', override: 500, bytes: 501 },
      { person: 'zero-limit', tier: 'default', override: 0, bytes: 7 },
      { person: 'zero-limit-empty', tier: 'default', override: 0, bytes: 0 },
      { person: region.hubPublicKey, tier: 'default', override: null, bytes: 50_000 },
      { person: UNPROVEN_POOL, tier: 'default', override: null, bytes: 2900 },
    ];
    const quota = new QuotaRepository(t.ds);
    for (const p of people) if (p.tier !== 'default' || p.override !== null) await quota.setPersonPolicy(regionId, p.person, p.tier, p.override);
    await t.ds.query(
      'INSERT INTO person_usage (region_id, person, bytes, envelopes) SELECT $1, p, b, 1 FROM unnest($2::text[], $3::bigint[]) AS x(p, b)',
      [regionId, people.map((p) => p.person), people.map((p) => p.bytes)],
    );

    // what the functions say (the unproven pool's account is not a person on either page)
    const persons = people
      .filter((p) => p.person !== UNPROVEN_POOL)
      .map((p) => {
        const limit = resolveLimit(p.person, { ...tiers, hubPublicKey: region.hubPublicKey, tier: p.tier, overrideBytes: p.override });
        return { ...p, limit, pressure: usagePressure(p.bytes, limit) };
      });
    const byPressure = [...persons].sort((a, b) =>
      a.pressure === b.pressure ? (a.person < b.person ? -1 : 1) : a.pressure === null ? 1 : b.pressure === null ? -1 : b.pressure - a.pressure,
    );
    const want = byPressure.map((p) => ({ person: p.person, bytes: p.bytes, pressure: p.pressure }));

    const reads = new ReadRepository(t.ds);
    const view = (rows: PersonUsageRow[]) => rows.map((r) => ({ person: r.person, bytes: r.bytes, pressure: r.pressure }));
    expect(view(await reads.personPage(regionId, { orderBy: 'pressure', limit: 100 }))).toEqual(want);
    // and page by page through the keyset cursor, across the limited and unlimited people
    const paged: PersonUsageRow[] = [];
    for (let after: PersonUsageRow | undefined; ; ) {
      const rows = await reads.personPage(regionId, { orderBy: 'pressure', limit: 3, after: after && { value: after.pressure ?? null, person: after.person } });
      paged.push(...rows);
      if (rows.length < 3) break;
      after = rows[rows.length - 1];
    }
    expect(view(paged)).toEqual(want);

    const counts = (await reads.regionPressure([regionId])).get(regionId)!;
    const limited = persons.filter((p) => p.limit !== null);
    expect(counts.overLimit).toBe(limited.filter((p) => p.bytes > p.limit!).length);
    expect(counts.nearLimit).toBe(limited.filter((p) => p.bytes <= p.limit! && p.bytes >= 0.9 * p.limit!).length);
    expect([counts.overLimit, counts.nearLimit]).toEqual([5, 7]);
  });
});
