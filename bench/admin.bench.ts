import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { generateKeyPair } from '../libs/crypto/src';
import { personPageSql } from '../libs/storage/src/repositories/read.repository';
import { benchDatabase, benchHubEnv, percentile, printTable, startHubProcess, stopHubProcess } from './support';

const ADMIN_TOKEN = randomBytes(24).toString('hex');
const ADMIN = `Bearer ${ADMIN_TOKEN}`;

async function gql(url: string, query: string, variables: object = {}): Promise<any> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: ADMIN }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Milliseconds of `runs` sequential requests (after 3 warm-ups): the hub's time to answer, over loopback. */
async function timed(runs: number, request: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await request();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await request();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b);
}

/** Largest number of rows any Sort node of the plan was given (0: nothing sorted). */
function largestSort(node: any): number {
  let max = node['Node Type'] === 'Sort' ? Math.max(0, ...(node.Plans ?? []).map((c: any) => c['Actual Rows'] * (c['Actual Loops'] ?? 1))) : 0;
  for (const c of node.Plans ?? []) max = Math.max(max, largestSort(c));
  return max;
}

const OVERVIEW = `{ regions { publicKey name stats { envelopes bytes people peopleOverLimit peopleNearLimit ingestLastHour { envelopes bytes } } quotaPolicy { defaultBytes } } }`;
const PERSONS = `query($r: String!, $o: PersonOrder!, $after: String, $s: String) { persons(region: $r, orderBy: $o, first: 50, after: $after, search: $s) {
  nodes { publicKey name usage limit tier pressure ingestBytesLastHour projectedFullAt } pageInfo { endCursor } } }`;

/**
 * The admin dashboard's heaviest reads against a hub process: the overview (`regions` with
 * every stat) over `regions` regions, and `persons` pages of a region of `people` people
 * (usage rows, a policy row for 1 %, and one envelope each, received over the last two hours).
 */
export async function runAdminBench(opts: { regions?: number; people?: number; runs?: number } = {}) {
  const regionCount = opts.regions ?? 1000;
  const peopleCount = opts.people ?? 200_000;
  const runs = opts.runs ?? 20;
  const db = await benchDatabase();
  const hub = await startHubProcess(benchHubEnv(db.url, { ADMIN_TOKEN, RUN_WORKERS: 'false' }));
  const pool = new Pool({ connectionString: db.url, max: 2 });
  const rows: Array<Record<string, string | number>> = [];
  try {
    const big = (await gql(hub.url, 'mutation { createRegion(name: "big") { region { publicKey } } }')).createRegion.region.publicKey as string;
    const [{ region_id: bigId }] = (await pool.query('SELECT region_id FROM region WHERE public_key = $1', [big])).rows;
    // the other regions copy big's (encrypted) keys: the overview never opens them
    const keys = Array.from({ length: regionCount - 1 }, () => generateKeyPair().public);
    await pool.query(
      `INSERT INTO region (public_key, name, private_key_enc, hub_public_key, hub_private_key_enc)
       SELECT k, 'region ' || n, r.private_key_enc, r.hub_public_key, r.hub_private_key_enc
         FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n), region r WHERE r.region_id = $2`,
      [keys, bigId],
    );
    await pool.query(`INSERT INTO region_seq (region_id) SELECT region_id FROM region ON CONFLICT DO NOTHING`);
    // 200,000 people in big: bytes spread over 0..~6 MB (default limit 5 MB: some over, some near)
    await pool.query(
      `INSERT INTO person_usage (region_id, person, bytes, envelopes)
       SELECT $1, 'p' || lpad(g::text, 7, '0'), (g::bigint * 7919) % 6000001, 1 FROM generate_series(1, $2) g`,
      [bigId, peopleCount],
    );
    await pool.query(
      `INSERT INTO person_policy (region_id, person, tier, override_bytes)
       SELECT $1, 'p' || lpad(g::text, 7, '0'), CASE WHEN g % 3 = 0 THEN 'trusted' ELSE 'default' END, CASE WHEN g % 3 = 1 THEN 1000000 + g END
         FROM generate_series(1, $2, 100) g`,
      [bigId, peopleCount],
    );
    // one envelope per person of big, received over the last two hours
    await pool.query(
      `INSERT INTO envelope (region_id, id, seq, ts_ms, "timestamp", sender, signature, sealed_recipients, sealed_letter, size, received_at)
       SELECT $1, sha256(g::text::bytea), g, 1767225600000 + g, '2026-01-01T00:00:00Z', 'p' || lpad(g::text, 7, '0'), 'sig', '{}', '\\x00', 1000,
              now() - make_interval(secs => 7200 - 7200.0 * g / $2)
         FROM generate_series(1, $2) g`,
      [bigId, peopleCount],
    );
    await pool.query('UPDATE region_seq SET last_seq = $2 WHERE region_id = $1', [bigId, peopleCount]);
    // 20 people in each other region
    await pool.query(
      `INSERT INTO person_usage (region_id, person, bytes, envelopes)
       SELECT r.region_id, 'q' || g, (g * 250000), 1 FROM region r, generate_series(1, 20) g WHERE r.region_id <> $1`,
      [bigId],
    );
    await pool.query('ANALYZE');

    const overview = await timed(runs, () => gql(hub.url, OVERVIEW));
    const count = (await gql(hub.url, OVERVIEW)).regions.length;
    rows.push({ case: `overview: regions { stats { …all } } (${count} regions)`, p50_ms: overview[Math.floor(runs / 2)].toFixed(1), p95_ms: percentile(overview, 95).toFixed(1) });

    for (const [label, order, deep] of [
      ['persons PRESSURE_DESC, first page', 'PRESSURE_DESC', 0],
      ['persons PRESSURE_DESC, page 40', 'PRESSURE_DESC', 39],
      ['persons USAGE_DESC, first page', 'USAGE_DESC', 0],
    ] as const) {
      let after: string | null = null;
      for (let i = 0; i < deep; i++) after = (await gql(hub.url, PERSONS, { r: big, o: order, after })).persons.pageInfo.endCursor;
      const ms = await timed(runs, () => gql(hub.url, PERSONS, { r: big, o: order, after }));
      rows.push({ case: `${label} (${peopleCount.toLocaleString('en')} people)`, p50_ms: ms[Math.floor(runs / 2)].toFixed(1), p95_ms: percentile(ms, 95).toFixed(1) });
    }
    const search = await timed(runs, () => gql(hub.url, PERSONS, { r: big, o: 'PRESSURE_DESC', s: 'p01234' }));
    rows.push({ case: 'persons search by key prefix', p50_ms: search[Math.floor(runs / 2)].toFixed(1), p95_ms: percentile(search, 95).toFixed(1) });
    const preview = await timed(5, () => gql(hub.url, `query($r: String!) { previewQuotaPolicy(region: $r, defaultBytes: 5900000) { people envelopes bytes complete } }`, { r: big }));
    rows.push({ case: 'previewQuotaPolicy (up to 1,000 people planned)', p50_ms: preview[2].toFixed(1), p95_ms: preview[4].toFixed(1) });

    // the plan: which index, and the most rows any Sort got
    for (const orderBy of ['pressure', 'usage'] as const) {
      const { sql, params } = personPageSql(bigId, { orderBy, limit: 51 });
      const plan = (await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params)).rows[0]['QUERY PLAN'][0];
      rows.push({
        case: `plan of ${orderBy} page: person_usage_region_bytes_idx used = ${JSON.stringify(plan).includes('person_usage_region_bytes_idx')}, largest sort = ${largestSort(plan.Plan)} rows`,
        p50_ms: Number(plan['Execution Time']).toFixed(1),
        p95_ms: '',
      });
    }
  } finally {
    await pool.end();
    await stopHubProcess(hub);
    await db.drop();
  }
  return rows;
}

if (require.main === module) printTable(runAdminBench());
