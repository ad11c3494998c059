import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base58Encode, type Envelope, generateKeyPair, type KeyPair, seal } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../support/hub';
import { at, closeHub, ingestStored, letter, noise, quotaIdle, unrecordedRemovals, usageDrift, waitFor } from './support/quota';

let hub: TestHub;
let ctx: RegionContext;
let region: KeyPair;
let ds: DataSource;

beforeAll(async () => {
  hub = await startTestHub();
  ctx = await hub.createRegion('quota erase');
  region = ctx.keys;
  ds = hub.app.get(DataSource);
});
afterAll(() => closeHub(hub));

const ingest = (envs: Envelope[]) => ingestStored(hub, ctx, envs);

async function state(person: KeyPair): Promise<Map<string, string | null>> {
  const rows: Array<{ id: Buffer; removed_reason: string | null }> = await ds.query(
    'SELECT id, removed_reason FROM envelope WHERE region_id = $1 AND sender = $2',
    [ctx.regionId, person.public],
  );
  return new Map(rows.map((r) => [base58Encode(r.id), r.removed_reason]));
}

/**
 * A kiki id hashes sender, purpose, content, first_id, reply_to and recipients, not the time:
 * every plain erase of one person has the same id, and sending it again is a duplicate. Only
 * an erase that differs elsewhere (here reply_to) is a second, distinct erase letter.
 */
function distinctErase(person: KeyPair, when: Date, replyTo: string): Envelope {
  return seal({ purpose: 'action-erase', content: '', reply_to: replyTo, recipients: [region.public] }, person, region.public, { now: when });
}

describe('action-erase', () => {
  const e = generateKeyPair();
  const friend = generateKeyPair();
  const bystander = generateKeyPair();
  let before: Envelope[];
  let erase1: Envelope;
  let after: Envelope;

  it('removes everything of the sender dated before the erase, actions included, except the erase itself', async () => {
    before = [
      letter(e, region, { content: noise(900), when: at(1) }),
      letter(e, region, { content: noise(900), to: friend, when: at(2) }),
      letter(e, region, { purpose: 'action-follow', content: friend.public, when: at(3) }),
      letter(e, region, { purpose: 'action-assign/name', content: 'Eve', when: at(4) }),
    ];
    erase1 = letter(e, region, { purpose: 'action-erase', content: '', when: at(10) });
    after = letter(e, region, { content: noise(900), when: at(20) });
    const other = letter(bystander, region, { content: noise(900), when: at(2) });
    await ingest(before);
    await ingest([erase1, after, other]);

    const s = await waitFor(() => state(e), (m) => before.every((b) => m.get(b.id) === 'erase'), 'the erase to be carried out');
    expect(s.get(erase1.id)).toBeNull();
    expect(s.get(after.id)).toBeNull();
    expect((await state(bystander)).get(other.id)).toBeNull();
    await quotaIdle(hub);
    expect((await hub.app.get(QuotaService).personQuota(ctx, e.public)).usage).toEqual({ bytes: after.sealed_letter.length, envelopes: 2 });
    const records = (await hub.app.get(QuotaService).listEvictions(ctx, { person: e.public })).items;
    expect(records.map((r) => [r.envelopeId, r.reason, r.limitBytes])).toEqual(
      [...before].reverse().map((b) => [b.id, 'erase', null]),
    );
  });

  it('also removes older letters that arrive after the erase (from another carrier)', async () => {
    const late = [letter(e, region, { content: noise(900), when: at(5) }), letter(e, region, { purpose: 'action-like', content: after.id, when: at(6) })];
    await ingest(late);
    await waitFor(() => state(e), (m) => late.every((l) => m.get(l.id) === 'erase'), 'late letters to be erased');
    expect((await state(e)).get(after.id)).toBeNull();
  });

  it('a newer erase covers everything up to it, including the older erase letter', async () => {
    const resent = letter(e, region, { purpose: 'action-erase', content: '', when: at(30) });
    expect(resent.id).toBe(erase1.id);
    const erase2 = distinctErase(e, at(30), after.id);
    await ingest([erase2]);
    const s = await waitFor(() => state(e), (m) => m.get(after.id) === 'erase' && m.get(erase1.id) === 'erase', 'the second erase');
    expect(s.get(erase2.id)).toBeNull();
    expect([...s.values()].filter((r) => r === null)).toHaveLength(1);
    await quotaIdle(hub);
    expect((await hub.app.get(QuotaService).personQuota(ctx, e.public)).usage).toEqual({ bytes: 0, envelopes: 1 });
    expect(await usageDrift(ds, ctx.regionId)).toEqual([]);
    expect(await unrecordedRemovals(ds, ctx.regionId)).toEqual([]);
  });

  it('an older erase arriving late changes nothing', async () => {
    const old = distinctErase(e, at(7), erase1.id);
    await ingest([old]);
    // it is itself covered by the newer erase
    await waitFor(() => state(e), (m) => m.get(old.id) === 'erase', 'the stale erase letter to be removed');
    const [{ erase_ts_ms }] = await ds.query('SELECT erase_ts_ms FROM person_erase WHERE region_id = $1 AND person = $2', [ctx.regionId, e.public]);
    expect(Number(erase_ts_ms)).toBe(at(30).getTime());
  });

  it('applies to unlimited people too (it is their own request)', async () => {
    const u = generateKeyPair();
    await hub.app.get(QuotaService).setPersonTier(ctx, u.public, 'unlimited');
    const posts = [letter(u, region, { when: at(1) }), letter(u, region, { when: at(2) })];
    await ingest([...posts, letter(u, region, { purpose: 'action-erase', content: '', when: at(3) })]);
    await waitFor(() => state(u), (m) => posts.every((p) => m.get(p.id) === 'erase'), 'the erase of an unlimited person');
  });
});
