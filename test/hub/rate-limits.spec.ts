import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigError } from '../../apps/hub/src/config/hub-config';
import { generateKeyPair, type KeyPair } from '@kiki/crypto';
import { gql, memberAuth } from '../graphql/client';
import { testRedisPrefix } from '../support/db';
import { authHeader, people, publicPost } from '../support/envelopes';
import { startTestHub, type TestHub } from '../support/hub';

/** Rate limits per address, per sender and per region, shared by hub replicas through Redis. */
let a: TestHub;
let b: TestHub;
const region = generateKeyPair();
const strict = generateKeyPair(); // a region with its own, lower /r/ write limit
const [alice, bob, carol] = people(3);

beforeAll(async () => {
  const env = {
    RUN_WORKERS: 'false',
    REDIS_PREFIX: testRedisPrefix('rate'), // both replicas count in the same Redis keys
    RATE_SENDER_PER_MINUTE: '3',
    RATE_ADDRESS_PER_MINUTE: '40',
    RATE_REGION_OVERRIDES: JSON.stringify({ [strict.public]: { kikiWritesPerAddressPerMinute: 2 } }),
  };
  [a, b] = await Promise.all([startTestHub(env), startTestHub(env)]);
  for (const hub of [a, b]) {
    await hub.createRegion('rate', region);
    await hub.createRegion('strict', strict);
  }
});
afterAll(() => Promise.all([a?.close(), b?.close()]));

const pull = (hub: TestHub, who: KeyPair) => fetch(`${hub.url}/sync/${region.public}/pull`, { headers: authHeader(who, region) });

describe('rate limits', () => {
  it('per sender, across replicas: the 4th request of a person in a minute is a 429 with Retry-After; others go on', async () => {
    const statuses = [];
    for (const hub of [a, b, a]) statuses.push((await pull(hub, alice)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await pull(b, alice);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as any).code).toBe('RATE_LIMITED');
    expect((await pull(a, bob)).status).toBe(200);
  });

  it('GraphQL answers the code RATE_LIMITED', async () => {
    for (let i = 0; i < 3; i++) expect((await gql(a.url, `query($k: String!) { region(publicKey: $k) { name } }`, { k: region.public }, memberAuth(carol, region))).errors).toBeUndefined();
    const r = await gql(b.url, `query($k: String!) { region(publicKey: $k) { name } }`, { k: region.public }, memberAuth(carol, region));
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(r.errors?.[0].extensions?.retryAfter).toBeGreaterThan(0);
  });

  it('original-route writes per address follow the region override (kiki shape), and only in that region', async () => {
    const upload = (hub: TestHub, r: KeyPair) =>
      fetch(`${hub.url}/r/${r.public}/envelope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(publicPost(bob, r)) });
    expect((await upload(a, strict)).status).toBe(200);
    expect((await upload(b, strict)).status).toBe(200);
    const refused = await upload(a, strict);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect(await refused.json()).toMatchObject({ status: 'error', code: 'RATE_LIMITED' });
    expect((await upload(a, region)).status).toBe(200);
  });

  it('per address, before anything else: unauthenticated requests count too, /health does not', async () => {
    let last = 0;
    for (let i = 0; i < 45 && last !== 429; i++) last = (await fetch(`${b.url}/sync/${region.public}/pull`)).status;
    expect(last).toBe(429);
    expect((await fetch(`${a.url}/sync/${region.public}/pull`, { headers: authHeader(carol, region) })).status).toBe(429);
    expect((await fetch(`${a.url}/health/live`)).status).toBe(200);
    const gq = await gql(a.url, '{ __typename }');
    expect(gq.status).toBe(429);
    expect(gq.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(await (await fetch(`${a.url}/metrics`)).text()).toMatch(/kiki_hub_rate_limited_total\{limit="address"\} [1-9]/);
  });
});

describe('configuration', () => {
  it('refuses bad RATE_REGION_OVERRIDES at start-up, one line per problem', async () => {
    const { loadConfig } = await import('../../apps/hub/src/config/hub-config');
    const problems = (raw: string) => {
      try {
        loadConfig({ RATE_REGION_OVERRIDES: raw });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems('{')).toEqual([expect.stringMatching(/must be JSON/)]);
    expect(problems(JSON.stringify({ 'not-a-key': { regionPerSecond: 1 } }))).toEqual([expect.stringMatching(/not a base58 region public key/)]);
    expect(problems(JSON.stringify({ [region.public]: { regionPerSecond: 0, bogus: 3 } }))).toHaveLength(2);
    expect(problems(JSON.stringify({ [region.public]: { regionPerSecond: 10 } }))).toEqual([]);
  });
});
