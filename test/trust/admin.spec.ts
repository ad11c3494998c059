/** The trust admin operations over GraphQL: sender policy, region cap, restore and undo-erase (docs/quotas.md). */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair, seal } from '@kiki/crypto';
import { type RegionContext } from '../../apps/hub/src/regions/region.service';
import { authHeader, publicPost } from '../support/envelopes';
import { startTestHub, type TestHub } from '../support/hub';
import { codeOf, gql, memberAuth } from '../graphql/client';
import { closeHub, quotaIdle } from '../quota/support/quota';

const TOKEN = randomBytes(24).toString('hex');
const ADMIN = `Bearer ${TOKEN}`;
let hub: TestHub;
let ctx: RegionContext;
let region: KeyPair;
const member = generateKeyPair();

beforeAll(async () => {
  hub = await startTestHub({ ADMIN_TOKEN: TOKEN });
  ctx = await hub.createRegion('trust-admin');
  region = ctx.keys;
});
afterAll(() => closeHub(hub));

const SET = `mutation($r: String!, $p: SenderPolicy!, $pool: Float, $cap: Float) {
  setSenderPolicy(region: $r, policy: $p, unprovenPoolBytes: $pool, maxTotalBytes: $cap) { policy unprovenPoolBytes maxTotalBytes } }`;
const READ = `query($r: String!) { region(publicKey: $r) { senderPolicy { policy unprovenPoolBytes maxTotalBytes } } }`;

describe('trust admin over GraphQL', () => {
  it('sets and reads the sender policy and cap; members read it; nobody but the admin sets it', async () => {
    const set = await gql(hub.url, SET, { r: region.public, p: 'V2_FOR_QUOTA', pool: 1_000_000, cap: 9_000_000 }, ADMIN);
    expect(set.errors).toBeUndefined();
    expect(set.data.setSenderPolicy).toEqual({ policy: 'V2_FOR_QUOTA', unprovenPoolBytes: 1_000_000, maxTotalBytes: 9_000_000 });
    const read = await gql(hub.url, READ, { r: region.public }, memberAuth(member, region));
    expect(read.data.region.senderPolicy).toEqual({ policy: 'V2_FOR_QUOTA', unprovenPoolBytes: 1_000_000, maxTotalBytes: 9_000_000 });

    // a member, a stranger, no token: refused, nothing changed
    for (const auth of [memberAuth(member, region), `Bearer ${randomBytes(24).toString('hex')}`, undefined]) {
      const r = await gql(hub.url, SET, { r: region.public, p: 'V2_REQUIRED' }, auth);
      expect(['UNAUTHENTICATED', 'FORBIDDEN']).toContain(codeOf(r));
    }
    // bad input: refused with a code, nothing changed
    expect(codeOf(await gql(hub.url, SET, { r: region.public, p: 'V3' }, ADMIN))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(hub.url, SET, { r: region.public, p: 'V1', pool: -1 }, ADMIN))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(hub.url, SET, { r: generateKeyPair().public, p: 'V1' }, ADMIN))).toBe('NOT_FOUND');
    expect((await gql(hub.url, READ, { r: region.public }, memberAuth(member, region))).data.region.senderPolicy.policy).toBe('V2_FOR_QUOTA');

    // null removes the cap
    const uncapped = await gql(hub.url, SET, { r: region.public, p: 'V1', cap: null }, ADMIN);
    expect(uncapped.data.setSenderPolicy).toEqual({ policy: 'V1', unprovenPoolBytes: 1_000_000, maxTotalBytes: null });
  });

  it('restores removed envelopes and undoes an erase, for the admin only', async () => {
    const bob = generateKeyPair();
    const post = publicPost(bob, region, 'to be erased');
    const push = (envs: unknown[]) =>
      fetch(`${hub.url}/sync/${region.public}/push`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeader(bob, region) }, body: JSON.stringify({ envelopes: envs }) });
    expect((await push([post])).status).toBe(200);
    expect((await push([seal({ purpose: 'action-erase', recipients: [region.public] }, bob, region.public)])).status).toBe(200);
    await quotaIdle(hub);
    const removed = (await gql(hub.url, `query($r: String!, $id: ID!) { envelope(region: $r, id: $id) { id } }`, { r: region.public, id: post.id }, memberAuth(member, region)));
    expect(codeOf(removed)).toBe('NOT_FOUND');

    const UNDO = `mutation($r: String!, $k: String!) { undoErase(region: $r, publicKey: $k) }`;
    expect(['UNAUTHENTICATED', 'FORBIDDEN']).toContain(codeOf(await gql(hub.url, UNDO, { r: region.public, k: bob.public }, memberAuth(member, region))));
    expect(codeOf(await gql(hub.url, UNDO, { r: region.public, k: 'not-a-key' }, ADMIN))).toBe('BAD_USER_INPUT');
    const undone = await gql(hub.url, UNDO, { r: region.public, k: bob.public }, ADMIN);
    expect(undone.errors).toBeUndefined();
    expect(undone.data.undoErase).toBe(1);
    await quotaIdle(hub);
    const back = await gql(hub.url, `query($r: String!, $id: ID!) { envelope(region: $r, id: $id) { id signatureV2 } }`, { r: region.public, id: post.id }, memberAuth(member, region));
    expect(back.data.envelope).toEqual({ id: post.id, signatureV2: post.signature_v2 });

    const RESTORE = `mutation($r: String!, $ids: [String!]!) { restoreEnvelopes(region: $r, ids: $ids) }`;
    expect(['UNAUTHENTICATED', 'FORBIDDEN']).toContain(codeOf(await gql(hub.url, RESTORE, { r: region.public, ids: [post.id] })));
    expect(codeOf(await gql(hub.url, RESTORE, { r: region.public, ids: ['nope'] }, ADMIN))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(hub.url, RESTORE, { r: region.public, ids: [] }, ADMIN))).toBe('BAD_USER_INPUT');
    // a live envelope is not "restored" again
    expect((await gql(hub.url, RESTORE, { r: region.public, ids: [post.id] }, ADMIN)).data.restoreEnvelopes).toBe(0);
  });
});
