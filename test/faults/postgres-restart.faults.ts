import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncToken, DEFAULT_REGION } from '@kiki/crypto';
import { ensureDatabase, runMigrations } from '@kiki/storage';
import { testRedisPrefix, testRedisUrl } from '../support/db';
import { people, publicPost } from '../support/envelopes';
import { freePort, PostgresProcess } from '../support/processes';
import { HubProcess, report } from './support';

/**
 * Issue 11: Postgres (one the test owns) stopped hard and restarted while members sync. Clients
 * get retryable errors (503 + Retry-After), never a wrong answer, and converge once it is back.
 */
const region = DEFAULT_REGION;
const members = people(4);
let pg: PostgresProcess;
let hub: HubProcess;

beforeAll(async () => {
  pg = new PostgresProcess(await freePort());
  await pg.init();
  await pg.start();
  const url = pg.url.replace(/\/postgres$/, '/kiki_faults');
  await ensureDatabase(url);
  await runMigrations(url);
  hub = await HubProcess.create({
    DATABASE_URL: url,
    REDIS_URL: testRedisUrl,
    REDIS_PREFIX: testRedisPrefix('pg-restart'),
    CREATE_DATABASE: 'false',
    MIGRATE_ON_START: 'false',
    IMPORT_DEFAULT_REGION: 'true',
    RUN_WORKERS: 'false',
  });
  await hub.start();
}, 300_000);
afterAll(async () => {
  await hub?.kill();
  await pg?.destroy();
});

const auth = (i: number) => ({ authorization: `Kiki ${createSyncToken(members[i % members.length], region)}` });

describe('Postgres stopped and restarted during sync', () => {
  it('answers 503 (retryable) while it is down, never a wrong answer, and converges', async () => {
    const acked = new Set<string>();
    const statuses = new Map<string, number>();
    const wrong: string[] = [];
    let stop = false;
    let i = 0;
    const tally = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);

    const client = (async () => {
      let cursor = '0';
      const seen = new Set<string>();
      while (!stop) {
        const env = publicPost(members[i % members.length], region);
        try {
          const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...auth(i++) },
            body: JSON.stringify({ envelopes: [env] }),
            signal: AbortSignal.timeout(30_000),
          });
          const body = (await res.json()) as any;
          tally(`push ${res.status}`);
          if (res.status === 200) {
            if (body.results[0].status === 'stored') acked.add(env.id);
            else wrong.push(`push answered ${JSON.stringify(body.results[0])}`);
          } else if (res.status !== 503 || !res.headers.get('retry-after')) wrong.push(`push ${res.status} ${JSON.stringify(body)}`);
          const pull = await fetch(`${hub.url}/sync/${region.public}/pull?after=${cursor}&limit=200`, { headers: auth(i++), signal: AbortSignal.timeout(30_000) });
          const page = (await pull.json()) as any;
          tally(`pull ${pull.status}`);
          if (pull.status === 200) {
            if (BigInt(page.cursor) < BigInt(cursor)) wrong.push(`cursor went back ${cursor} → ${page.cursor}`);
            for (const e of page.envelopes) {
              if (seen.has(e.id)) wrong.push(`pulled ${e.id} twice`);
              seen.add(e.id);
            }
            cursor = page.cursor;
          } else if (pull.status !== 503) wrong.push(`pull ${pull.status} ${JSON.stringify(page)}`);
        } catch (err) {
          tally(`network ${(err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).name}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      return { cursor, seen };
    })();

    await new Promise((r) => setTimeout(r, 3000));
    const downAt = Date.now();
    await pg.stop('immediate');
    await new Promise((r) => setTimeout(r, 5000));
    await pg.start();
    const upAt = Date.now();
    // converge: a push and a pull succeed again
    let recoveredMs = -1;
    for (let t = 0; t < 600 && recoveredMs < 0; t++) {
      const res = await fetch(`${hub.url}/sync/${region.public}/pull?limit=1`, { headers: auth(i++) });
      if (res.status === 200) recoveredMs = Date.now() - upAt;
      else await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    const { seen } = await client;

    // a full pull from the start holds every acknowledged envelope
    const all = new Set<string>();
    let cursor = '0';
    for (;;) {
      const page = (await (await fetch(`${hub.url}/sync/${region.public}/pull?after=${cursor}&limit=1000`, { headers: auth(i++) })).json()) as any;
      for (const e of page.envelopes) all.add(e.id);
      cursor = page.cursor;
      if (!page.more) break;
    }
    const missing = [...acked].filter((id) => !all.has(id));
    report('postgres-restart', {
      downSeconds: (upAt - downAt) / 1000,
      recoveredMsAfterStart: recoveredMs,
      statuses: Object.fromEntries(statuses),
      acked: acked.size,
      missing: missing.length,
      wrong: wrong.length,
      pulledByClient: seen.size,
    });
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(missing).toEqual([]);
    expect(recoveredMs).toBeGreaterThanOrEqual(0);
    expect(statuses.get('push 503') ?? 0).toBeGreaterThan(0); // the outage was seen, and answered as retryable
  });
});
