import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncToken, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { startTestHub, type TestHub } from '../support/hub';
import { people } from '../support/envelopes';
import { collect, gql, memberAuth, PAGE, wsClient } from './client';

const TOKEN = 'z'.repeat(48);
let hub: TestHub;
let region: KeyPair;
const [alice] = people(1);
const REGION_Q = `query($k: String!) { region(publicKey: $k) { name } }`;

beforeAll(async () => {
  hub = await startTestHub({ ADMIN_TOKEN: TOKEN, RUN_WORKERS: 'false' });
  region = (await hub.createRegion('auth')).keys;
});
afterAll(() => hub?.close());

const errorOf = async (authorization: string | undefined, query = REGION_Q, variables: Record<string, unknown> = { k: region.public }) => {
  const r = await gql(hub.url, query, variables, authorization);
  expect(r.errors, JSON.stringify(r)).toBeDefined();
  return { message: r.errors![0].message, ...r.errors![0].extensions };
};

describe('membership over HTTP', () => {
  it('says how to authenticate when the header is missing or malformed', async () => {
    expect(await errorOf(undefined)).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('Authorization: Kiki <token>') });
    expect(await errorOf('Basic abc')).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('"Kiki <token>"') });
    expect(await errorOf('Kiki not-a-token')).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('sync token refused') });
  });

  it('refuses a replayed token and an expired one, with the reason', async () => {
    const auth = memberAuth(alice, region);
    expect((await gql(hub.url, REGION_Q, { k: region.public }, auth)).data.region.name).toBe('auth');
    expect(await errorOf(auth)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REPLAYED' });
    const old = `Kiki ${createSyncToken(alice, region, { now: new Date(Date.now() - 3600_000) })}`;
    expect(await errorOf(old)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED', message: expect.stringContaining('make a new one') });
  });

  it('accepts one token for several fields of its region in one request', async () => {
    const r = await gql(hub.url, `query($k: String!) { a: region(publicKey: $k) { name } b: envelopes(region: $k) { edges { cursor } } }`, { k: region.public }, memberAuth(alice, region));
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ a: { name: 'auth' }, b: { edges: [] } });
  });

  it('tells a malformed key apart, but not an unknown region from a real one with a wrong token', async () => {
    const unknown = generateKeyPair();
    const notHere = await errorOf(memberAuth(alice, unknown), REGION_Q, { k: unknown.public });
    expect(notHere).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await errorOf(memberAuth(alice, unknown), REGION_Q, { k: region.public })).toEqual(notHere);
    expect(await errorOf(memberAuth(alice, region), REGION_Q, { k: 'nope' })).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_KEY', field: 'region' });
  });
});

describe('the admin token', () => {
  it('is refused when wrong, and a member token never counts as admin', async () => {
    expect(await errorOf('Bearer wrong', `{ regions { name } }`, {})).toMatchObject({ code: 'UNAUTHENTICATED', message: 'the admin token is wrong' });
    expect(await errorOf(memberAuth(alice, region), `{ regions { name } }`, {})).toMatchObject({ code: 'FORBIDDEN' });
    expect(await errorOf(undefined, `{ hubStats { regions } }`, {})).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('Bearer <ADMIN_TOKEN>') });
  });

  it('reads any region (the operator holds every region key anyway)', async () => {
    const r = await gql(hub.url, PAGE, { region: region.public }, `Bearer ${TOKEN}`);
    expect(r.errors).toBeUndefined();
  });

  it('is off entirely on a hub without ADMIN_TOKEN', async () => {
    const bare = await startTestHub({ RUN_WORKERS: 'false' });
    try {
      const r = await gql(bare.url, `{ regions { name } }`, {}, `Bearer ${TOKEN}`);
      expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringContaining('ADMIN_TOKEN') });
    } finally {
      await bare.close();
    }
  });
});

describe('membership over WebSocket', () => {
  const SUB = `subscription($r: String!) { envelopeAdded(region: $r) { id } }`;

  it('closes a socket that brings no credentials (4403)', async () => {
    const client = wsClient(hub.url);
    const sub = collect(client, SUB, { r: region.public });
    await sub.until(() => sub.done);
    expect((sub.error as { code?: number }).code).toBe(4403);
    await client.dispose();
  });

  it('closes a socket at connect whose token does not prove membership of the region it names (4403)', async () => {
    for (const client of [wsClient(hub.url, memberAuth(alice, generateKeyPair()), region.public), wsClient(hub.url, memberAuth(alice, region))]) {
      const sub = collect(client, SUB, { r: region.public });
      await sub.until(() => sub.done);
      expect((sub.error as { code?: number }).code).toBe(4403);
      expect(sub.events).toEqual([]);
      await client.dispose();
    }
  });

  it('refuses a subscription to another region than the one the socket proved', async () => {
    const other = generateKeyPair();
    await hub.createRegion('other', other);
    const client = wsClient(hub.url, memberAuth(alice, region), region.public);
    const sub = collect(client, SUB, { r: other.public });
    await sub.until(() => sub.done);
    expect(sub.events[0]?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await client.dispose();
  });

  it('serves subscriptions only: queries and mutations go over HTTP', async () => {
    const client = wsClient(hub.url, memberAuth(alice, region), region.public);
    const sub = collect(client, `query($r: String!) { region(publicKey: $r) { name } }`, { r: region.public });
    await sub.until(() => sub.done);
    const errors = (sub.error as any[]) ?? sub.events[0]?.errors;
    expect(errors?.[0]?.message).toMatch(/POST \/graphql/);
    await client.dispose();
  });
});
