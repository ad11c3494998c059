import { randomBytes } from 'node:crypto';
import { base58Decode, type Envelope, type KeyPair, type Purpose, seal } from '@kiki/crypto';
import { accountSql, countedSql } from '@kiki/storage';
import type { DataSource } from 'typeorm';
import { expect } from 'vitest';
import { IngestService } from '../../../apps/hub/src/ingest/ingest.service';
import { QuotaQueue } from '../../../apps/hub/src/quota/quota.queue';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import type { TestHub } from '../../support/hub';

export const idBuf = (e: Envelope | string) => Buffer.from(base58Decode(typeof e === 'string' ? e : e.id));

/** Seconds after a fixed origin, so "oldest" is under the test's control. */
export const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);

/** Random text: compresses poorly, so the sealed letter grows with it. */
export const noise = (bytes: number) => randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64').slice(0, bytes);

export function letter(
  person: KeyPair,
  region: KeyPair,
  opts: { purpose?: Purpose; content?: string; firstId?: string; to?: KeyPair; when?: Date } = {},
): Envelope {
  return seal(
    { purpose: opts.purpose ?? 'share-text', content: opts.content ?? noise(100), first_id: opts.firstId, recipients: [opts.to ? opts.to.public : region.public] },
    person,
    region.public,
    { now: opts.when },
  );
}

export async function waitFor<T>(probe: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}

/** Nothing waiting, delayed (retries) or running in the hub's quota queue; the sweep scheduler's next run does not count. */
export async function quotaIdle(hub: TestHub, timeoutMs = 20_000): Promise<void> {
  const queue = () => hub.app.get(QuotaQueue).bullQueue;
  await hub.app.get(QuotaQueue).idle(); // jobs of batches already ingested are in Redis
  await waitFor(
    async () => {
      const q = queue();
      if (!q) return -1;
      const c = await q.getJobCounts('waiting', 'active', 'prioritized');
      const retries = (await q.getDelayed()).filter((j) => !j.repeatJobKey).length;
      return c.waiting + c.active + c.prioritized + retries;
    },
    (n) => n === 0,
    'the quota queue to drain',
    timeoutMs,
  );
}

/** People whose usage row differs from their live envelopes (should always be empty). */
export async function usageDrift(ds: DataSource, regionId: number): Promise<unknown[]> {
  return ds.query(
    `WITH actual AS (
       SELECT ${accountSql()} AS person, coalesce(sum(size) FILTER (WHERE ${countedSql()}), 0)::bigint AS bytes, count(*)::int AS envelopes
         FROM envelope WHERE region_id = $1 AND removed_at IS NULL GROUP BY 1)
     SELECT coalesce(a.person, u.person) AS person, a.bytes AS actual_bytes, u.bytes AS usage_bytes, a.envelopes AS actual_n, u.envelopes AS usage_n
       FROM actual a FULL JOIN (SELECT * FROM person_usage WHERE region_id = $1) u ON u.person = a.person
      WHERE coalesce(a.bytes, 0) <> coalesce(u.bytes, 0) OR coalesce(a.envelopes, 0) <> coalesce(u.envelopes, 0)`,
    [regionId],
  );
}

/** Tombstones removed for quota/erase without exactly one eviction record, and records without a tombstone. */
export async function unrecordedRemovals(ds: DataSource, regionId: number): Promise<unknown[]> {
  return ds.query(
    `SELECT e.id, e.removed_reason, v.reason FROM envelope e
       FULL JOIN (SELECT * FROM eviction WHERE region_id = $1) v ON v.envelope_id = e.id AND v.region_id = e.region_id
      WHERE (e.region_id = $1 OR e.region_id IS NULL)
        AND ((e.removed_reason IN ('quota', 'erase') AND v.envelope_id IS NULL)
          OR (v.envelope_id IS NOT NULL AND e.removed_at IS NULL)
          OR (v.reason = 'erase') <> (e.removed_reason = 'erase'))`,
    [regionId],
  );
}

export async function pushKiki(hub: TestHub, region: KeyPair, env: Envelope): Promise<{ status: number; body: any }> {
  const res = await fetch(`${hub.url}/r/${region.public}/envelope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(env) });
  return { status: res.status, body: await res.json() };
}

/** Closes a test hub, then leaves nothing of its quota queue in the shared Redis. */
export async function closeHub(hub: TestHub | undefined): Promise<void> {
  if (!hub) return;
  await hub.close(); // which also drops its quota queue
}

/** Stores envelopes through the one ingest path, as every route does, and checks each was stored. */
export async function ingestStored(hub: TestHub, ctx: RegionContext, envs: Envelope[]): Promise<void> {
  const results = await hub.app.get(IngestService).ingest(ctx, envs, 'test');
  expect(results.map((r) => r.status)).toEqual(envs.map(() => 'stored'));
}
