import { beforeAll, describe, expect, it } from 'vitest';
import { ReadRepository, regionLimitCountsSql } from '@kiki/storage';
import { useTestDataSource } from '../support/storage';

// The overview's over/near-limit counts (ReadRepository.regionPressure) for the admin-web
// benchmark's data shape: many empty regions and one big region of usage rows only (no policy
// rows, no envelopes). Its own database, so the table statistics are this shape's alone.
const PEOPLE = 50_000;
const EMPTY_REGIONS = 50;

const t = useTestDataSource(2);
let big: number;
let ids: number[];

beforeAll(async () => {
  await t.ds.query(
    `INSERT INTO region (public_key, name, private_key_enc, hub_public_key, hub_private_key_enc)
     SELECT 'region-' || g, 'region ' || g, '\\x00', 'hub-' || g, '\\x00' FROM generate_series(0, $1) g`,
    [EMPTY_REGIONS],
  );
  [{ region_id: big }] = await t.ds.query(`SELECT region_id FROM region WHERE public_key = 'region-0'`);
  // bytes spread over 0-6 MB against the 5 MB default limit: ~1/6 over it, ~1/12 within 10 % of it
  await t.ds.query(
    `INSERT INTO person_usage (region_id, person, bytes, envelopes)
     SELECT $1, 'p' || lpad(g::text, 6, '0'), (g::bigint * 7919) % 6000001, 1 FROM generate_series(1, $2) g`,
    [big, PEOPLE],
  );
  await t.ds.query('ANALYZE');
  ids = (await t.ds.query('SELECT region_id FROM region ORDER BY region_id')).map((r: { region_id: number }) => r.region_id);
});

/** person_usage scans of a plan and the rows they read (returned or filtered out, over all loops). */
async function explain(sql: string): Promise<{ types: string[]; rowsRead: number }> {
  const [{ 'QUERY PLAN': [plan] }] = await t.ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, [ids]);
  const scans: any[] = [];
  const walk = (node: any) => {
    if (node['Relation Name'] === 'person_usage') scans.push(node);
    for (const c of node.Plans ?? []) walk(c);
  };
  walk(plan.Plan);
  return {
    types: scans.map((n) => n['Node Type']),
    rowsRead: scans.reduce((s, n) => s + (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)) * n['Actual Loops'], 0),
  };
}

describe('the overview counts plan', () => {
  it(`counts over and near the limit by index ranges, not a scan of person_usage per region (${EMPTY_REGIONS + 1} regions, ${PEOPLE.toLocaleString('en')} people)`, async () => {
    const [exact] = await t.ds.query(
      `SELECT count(*) FILTER (WHERE bytes > 5000000)::int AS over,
              count(*) FILTER (WHERE bytes <= 5000000 AND bytes >= 4500000)::int AS near
         FROM person_usage WHERE region_id = $1`,
      [big],
    );
    expect(exact.over).toBeGreaterThan(PEOPLE / 10);

    const plan = await explain(regionLimitCountsSql());
    expect(plan.types).not.toContain('Seq Scan');
    // every region reads its two ranges only: the people over and near its limit
    expect(plan.rowsRead).toBeLessThanOrEqual(exact.over + exact.near);

    // the answer is exact
    const pressure = await new ReadRepository(t.ds).regionPressure(ids);
    expect(pressure.size).toBe(ids.length);
    expect(pressure.get(big)).toEqual({ overLimit: exact.over, nearLimit: exact.near, ingestEnvelopes: 0, ingestBytes: 0 });
    for (const id of ids.filter((i) => i !== big)) expect(pressure.get(id)).toEqual({ overLimit: 0, nearLimit: 0, ingestEnvelopes: 0, ingestBytes: 0 });

    // the check sees the old statement's plan: its open over-limit range (bytes > limit) was
    // estimated at a third of the table, and Postgres read the whole table once per region
    const old = regionLimitCountsSql().replace(/ AND u\.bytes <= \d+/, '');
    expect(old).not.toBe(regionLimitCountsSql());
    const before = await explain(old);
    expect(before.types).toContain('Seq Scan');
    expect(before.rowsRead).toBeGreaterThan(EMPTY_REGIONS * PEOPLE);
  });
});
