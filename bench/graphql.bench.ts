import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { createSyncToken, generateKeyPair, type KeyPair, seal } from '../libs/crypto/src';
import { envelopePageSql } from '../libs/storage/src/repositories/read.repository';
import { benchDatabase, benchHubEnv, cpuSeconds, percentile, printTable, startHubProcess, stopHubProcess } from './support';

// autocannon ships no types; this is the part used here
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  throughput: { average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface CannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  setupRequest(req: CannonRequest): CannonRequest;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: (opts: object) => Promise<CannonResult> = require('autocannon');

const ADMIN_TOKEN = randomBytes(24).toString('hex');
const PAGE_QUERY = `query Page($region: String!, $after: String) {
  envelopes(region: $region, first: 100, after: $after) {
    edges { cursor node { id timestamp sender { publicKey } signature sealedRecipients sealedLetter size sequence } }
    pageInfo { hasNextPage endCursor }
  }
}`;
// The same page as the resolver reads it (ReadRepository.envelopePage), for the floor.
const PAGE_SQL = envelopePageSql();

async function gql(url: string, query: string, variables: object, authorization: string): Promise<any> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/**
 * `envelopes(first: 100)` over POST /graphql with `connections` concurrent clients, each request
 * with a fresh one-time membership token (as third-party clients send), at random positions of
 * the region; beside it the same page read straight from Postgres (pg Pool of the hub's size).
 */
export async function runGraphqlBench(opts: { envelopes?: number; connections?: number; seconds?: number } = {}) {
  const total = opts.envelopes ?? 5000;
  const connections = opts.connections ?? 50;
  const seconds = opts.seconds ?? 10;
  const poolSize = 10;
  const db = await benchDatabase();
  const env = benchHubEnv(db.url, { ADMIN_TOKEN, RUN_WORKERS: 'false', DB_POOL_SIZE: String(poolSize) });
  const hub = await startHubProcess(env);
  const pool = new Pool({ connectionString: db.url, max: poolSize });
  // an idle client ended under the pool (the database dropped by a failed run's clean-up) must not
  // kill the whole bench run with an unhandled 'error' event: say it and let the real error surface
  pool.on('error', (err) => console.error(`graphql bench: idle Postgres client ended: ${err.message}`));
  const rows: Array<Record<string, string | number>> = [];
  try {
    const created = await gql(hub.url, 'mutation { createRegion(name: "bench") { memberKeys { public private } } }', {}, `Bearer ${ADMIN_TOKEN}`);
    const region: KeyPair = created.createRegion.memberKeys;
    const senders = Array.from({ length: 100 }, () => generateKeyPair());
    // ~1 KB private text letters (the ingest benchmark's recipe: text that deflates like prose), pushed in batches of 500
    const text = 'k'.repeat(700) + randomBytes(100).toString('base64');
    for (let b = 0; b < total; b += 500) {
      const envelopes = Array.from({ length: Math.min(500, total - b) }, (_, i) =>
        seal({ purpose: 'share-text', content: `${text}${b}-${i}`, recipients: [senders[(b + i + 1) % senders.length].public] }, senders[(b + i) % senders.length], region.public),
      );
      const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Kiki ${createSyncToken(senders[0], region)}` },
        body: JSON.stringify({ envelopes }),
      });
      if (((await res.json()) as { stored: number }).stored !== envelopes.length) throw new Error('seeding failed');
    }
    // what autovacuum does within a minute on a running hub: without statistics the planner
    // sorts the region's whole tail for every page instead of walking the (region_id, seq) index
    await pool.query('ANALYZE envelope');
    const reader = senders[0];
    const cursors = Array.from({ length: 64 }, (_, i) => Buffer.from(`e1:${Math.floor((i / 64) * (total - 100))}`).toString('base64url'));
    const body = (n: number) => JSON.stringify({ query: PAGE_QUERY, variables: { region: region.public, after: cursors[n % cursors.length] } });
    const sample = await gql(hub.url, PAGE_QUERY, { region: region.public, after: cursors[5] }, `Kiki ${createSyncToken(reader, region)}`);
    if (sample.envelopes.edges.length !== 100) throw new Error('a page has fewer than 100 envelopes');
    const pageBytes = JSON.stringify({ data: sample }).length;

    // One GraphQL load: `connections` clients for `secs`, each request with a fresh token.
    const load = async (label: string, c: number, secs: number, makeBody: (n: number) => string, kb: number | '', target = hub) => {
      let n = 0;
      const cpuBefore = cpuSeconds(target.child.pid);
      const result = await autocannon({
        url: `${target.url}/graphql`,
        connections: c,
        duration: secs,
        requests: [
          {
            method: 'POST',
            setupRequest: (req: CannonRequest) => ({
              ...req,
              headers: { 'content-type': 'application/json', authorization: `Kiki ${createSyncToken(reader, region)}` },
              body: makeBody(n++),
            }),
          },
        ],
      });
      const cpuMs = ((cpuSeconds(target.child.pid) - cpuBefore) * 1000) / result.requests.total;
      if (result.errors || result.non2xx || result.timeouts) throw new Error(`graphql bench: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
      rows.push({
        case: label,
        connections: c,
        'requests/s': Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        'MB/s': +(result.throughput.average / 1e6).toFixed(1),
        'KB/page': kb,
        'hub CPU ms/req': +cpuMs.toFixed(1),
      });
    };
    const short = Math.max(3, Math.round(seconds / 3));
    const kb = Math.round(pageBytes / 1024);
    // The same 64 pages over and over: every member of a region reads the same envelopes, so
    // after the first reader each page comes from the hub's page cache (version checked in Postgres).
    const PAGE = 'GraphQL envelopes(first: 100), fresh token each';
    await load(`${PAGE}, page cache`, 1, short, body, kb);
    await load(`${PAGE}, page cache`, connections, seconds, body, kb);
    // the fixed cost of any request (token check with its Redis round trip, Apollo, Nest), no page
    const fixed = JSON.stringify({ query: 'query($r: String!) { region(publicKey: $r) { name } }', variables: { r: region.public } });
    await load('GraphQL region { name }, fresh token each (fixed cost)', connections, short, () => fixed, '');
    // Every page read from Postgres and executed: a second hub process without the page cache.
    await stopHubProcess(hub);
    const cold = await startHubProcess({ ...env, GRAPHQL_PAGE_CACHE_MB: '0' });
    try {
      const check = await gql(cold.url, PAGE_QUERY, { region: region.public, after: cursors[5] }, `Kiki ${createSyncToken(reader, region)}`);
      if (JSON.stringify(check) !== JSON.stringify(sample)) throw new Error('the hub without cache answers another page');
      await load(`${PAGE}, no cache`, 1, short, body, kb, cold);
      await load(`${PAGE}, no cache`, connections, seconds, body, kb, cold);
    } finally {
      await stopHubProcess(cold);
    }

    // The floor: the same page straight from Postgres, same pool size, same concurrency.
    const [{ region_id: regionId }] = (await pool.query('SELECT region_id FROM region WHERE public_key = $1', [region.public])).rows;
    for (const c of [1, connections]) {
      const latencies: number[] = [];
      let n = 0;
      const until = Date.now() + (c === 1 ? Math.max(3, Math.round(seconds / 3)) : seconds) * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: c }, async () => {
          while (Date.now() < until) {
            const t0 = performance.now();
            const after = Math.floor(((n++ % 64) / 64) * (total - 100));
            const r = await pool.query(PAGE_SQL, [regionId, after, 101]);
            if (r.rows.length < 100) throw new Error('short page');
            latencies.push(performance.now() - t0);
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      rows.push({
        case: 'Postgres, same page (pg Pool)',
        connections: c,
        'requests/s': Math.round(latencies.length / elapsed),
        'p50 ms': +percentile(latencies, 50).toFixed(1),
        'p99 ms': +percentile(latencies, 99).toFixed(1),
        'MB/s': '',
        'KB/page': '',
        'hub CPU ms/req': '',
      });
    }
  } finally {
    await pool.end();
    await stopHubProcess(hub);
    await db.drop();
  }
  return rows;
}

if (require.main === module) printTable(runGraphqlBench());
