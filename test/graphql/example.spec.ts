import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair, seal } from '@kiki/crypto';
import { follow, readRegion } from '../../examples/third-party-client';
import { requirement } from '../support/services';
import { startTestHub, type TestHub } from '../support/hub';
import { people, privatePost, publicAction, publicPost } from '../support/envelopes';
import { gql, memberAuth, SUBMIT, toInput, waitForListeners } from './client';
import { testRedisUrl, hasTestRedis } from '../support/db';

let hub: TestHub;
let region: KeyPair;
const [alice, bob, me] = people(3);

const need = requirement('a Redis (the test watches the Redis channel)', hasTestRedis);

beforeAll(async () => {
  if (!need.ok) return;
  hub = await startTestHub({ RUN_WORKERS: 'false' });
  region = (await hub.createRegion('example')).keys;
  const envs = [
    publicAction(alice, region, 'action-assign/name', 'Alice'),
    privatePost(alice, region, me, 'hello you'),
    publicPost(bob, region, 'for everyone'),
    privatePost(bob, region, alice, 'not for you'),
    seal({ purpose: 'share-text', content: 'to both', recipients: [me.public, alice.public] }, bob, region.public),
  ];
  await gql(hub.url, SUBMIT, { region: region.public, envelopes: envs.map(toInput) }, memberAuth(alice, region));
});
afterAll(() => hub?.close());

describe.skipIf(!need.ok)('examples/third-party-client.ts', () => {
  it('joins, pages through the region over GraphQL and prints only what it can open with its own key', async () => {
    const lines: string[] = [];
    const out = await readRegion({ hub: hub.url, region, identity: me, pageSize: 2 }, (l) => lines.push(l));
    expect(out).toMatchObject({ seen: 5, mine: 2 });
    expect(lines[0]).toMatch(/^joined "example": 5 envelopes from 2 people/);
    expect(lines[1]).toMatch(/Alice \(.{8}…\)  \[share-text\]  hello you$/);
    expect(lines[2]).toMatch(/\[share-text\]  to both$/);
    expect(lines.join('\n')).not.toMatch(/not for you|for everyone/);
  });

  it('follows new envelopes addressed to it over graphql-ws', async () => {
    const lines: string[] = [];
    const stop = follow({ hub: hub.url, region, identity: me, seen: new Set() }, (l) => lines.push(l));
    await waitForListeners(testRedisUrl, `${hub.config.REDIS_PREFIX}:gql:envelope-added:${region.public}`);
    await gql(hub.url, SUBMIT, { region: region.public, envelopes: [toInput(privatePost(bob, region, me, 'live')), toInput(privatePost(bob, region, generateKeyPair(), 'other'))] }, memberAuth(bob, region));
    for (let i = 0; i < 100 && !lines.length; i++) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\[share-text\]  live$/);
  });
});
