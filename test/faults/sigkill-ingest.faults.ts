import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncToken, DEFAULT_REGION } from '@kiki/crypto';
import { createTestDatabase, type TestDatabase, testRedisPrefix, testRedisUrl } from '../support/db';
import { people, publicPost } from '../support/envelopes';
import { HubProcess, report } from './support';

/**
 * Issue 11: the hub SIGKILLed at random points of an ingest stream, ROUNDS times (20 for the
 * figures; FAULTS_SIGKILL_ROUNDS). Every envelope answered "stored" is present afterwards and
 * every person's usage counter equals what their live envelopes add up to.
 */
const ROUNDS = Number(process.env.FAULTS_SIGKILL_ROUNDS ?? 20);
const region = DEFAULT_REGION;
const members = people(6);
let db: TestDatabase;
let hub: HubProcess;

beforeAll(async () => {
  db = await createTestDatabase();
  hub = await HubProcess.create({
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl,
    REDIS_PREFIX: testRedisPrefix('sigkill'),
    CREATE_DATABASE: 'false',
    MIGRATE_ON_START: 'false',
    IMPORT_DEFAULT_REGION: 'true',
    RUN_WORKERS: 'false',
  });
}, 60_000);
afterAll(async () => {
  await hub?.kill();
  await db?.drop();
});

/** Pushes batches from `clients` clients until the hub stops answering; returns the acknowledged ids. */
async function stream(clients: number, acked: Set<string>): Promise<number> {
  let answered = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (;;) {
        const batch = Array.from({ length: 1 + ((answered + c) % 40) }, (_, k) => publicPost(members[(c + k) % members.length], region));
        try {
          const res = await fetch(`${hub.url}/sync/${region.public}/push`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Kiki ${createSyncToken(members[c % members.length], region)}` },
            body: JSON.stringify({ envelopes: batch }),
          });
          const body = (await res.json()) as { results: Array<{ status: string }> };
          answered++;
          body.results.forEach((r, k) => r.status === 'stored' && acked.add(batch[k].id));
        } catch {
          return; // killed
        }
      }
    }),
  );
  return answered;
}

describe('SIGKILL during ingest', () => {
  it(`${ROUNDS} kills at random points: every acknowledged envelope present, usage exact`, async () => {
    const acked = new Set<string>();
    const killedAfterMs: number[] = [];
    let requests = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await hub.start();
      const running = stream(4, acked);
      const wait = 100 + Math.floor(Math.random() * 1400);
      await new Promise((r) => setTimeout(r, wait));
      await hub.kill('SIGKILL');
      killedAfterMs.push(wait);
      requests += await running;
    }
    await hub.start();
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query(`SELECT encode(id, 'hex') AS id FROM envelope WHERE removed_at IS NULL`);
      const stored = new Set(rows.map((r) => r.id as string));
      const { base58Decode } = await import('@kiki/crypto');
      const missing = [...acked].filter((id) => !stored.has(Buffer.from(base58Decode(id)).toString('hex')));
      const { rows: drift } = await pg.query(
        `WITH actual AS (SELECT region_id, sender, sum(size) FILTER (WHERE purpose IS NULL OR purpose NOT LIKE 'action-%') AS bytes, count(*) AS n
                           FROM envelope WHERE removed_at IS NULL GROUP BY region_id, sender)
         SELECT coalesce(a.sender, u.person) AS person FROM actual a
           FULL JOIN person_usage u ON u.region_id = a.region_id AND u.person = a.sender
          WHERE coalesce(a.bytes, 0) <> coalesce(u.bytes, 0) OR coalesce(a.n, 0) <> coalesce(u.envelopes, 0)`,
      );
      report('sigkill-ingest', { rounds: ROUNDS, requests, acked: acked.size, stored: stored.size, missing: missing.length, usageDrift: drift.length, killedAfterMs });
      expect(missing).toEqual([]);
      expect(drift).toEqual([]);
      expect(acked.size).toBeGreaterThan(0);
    } finally {
      await pg.end();
    }
  }, 1_200_000);
});
