import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '@kiki/crypto';
import pg from 'pg';
import { startTestHub, type TestHub } from '../support/hub';
import { people, publicAction, publicPost } from '../support/envelopes';
import { collect, gql, memberAuth, SUBMIT, toInput, wsClient } from './client';

let hub: TestHub;
let region: KeyPair;
const senders = people(60);

beforeAll(async () => {
  // background quota work would add statements to the counts below
  hub = await startTestHub({ ADMIN_TOKEN: 'l'.repeat(40), RUN_WORKERS: 'false', GRAPHQL_MAX_DEPTH: '4', GRAPHQL_MAX_COMPLEXITY: '3000', GRAPHQL_MAX_BODY_BYTES: String(64 * 1024) });
  region = (await hub.createRegion('limits')).keys;
  const envs = senders.flatMap((s, i) => [publicPost(s, region, `post ${i}`), publicAction(s, region, 'action-assign/name', `name ${i}`)]);
  for (let i = 0; i < envs.length; i += 20) {
    const r = await gql(hub.url, SUBMIT, { region: region.public, envelopes: envs.slice(i, i + 20).map(toInput) }, memberAuth(senders[0], region));
    expect(r.data.submitEnvelopes.stored).toBe(20);
  }
});
afterAll(() => hub?.close());

describe('before execution', () => {
  it('refuses a query deeper than GRAPHQL_MAX_DEPTH, fragments included, without spending the token', async () => {
    const auth = memberAuth(senders[0], region);
    const deep = `query($r: String!) { envelopes(region: $r) { ...E } } fragment E on EnvelopeConnection { edges { node { sender { name } } } }`;
    const r = await gql(hub.url, deep, { r: region.public }, auth);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', depth: 5, maximum: 4 });
    // nothing ran: the one-time token is still unused
    const ok = await gql(hub.url, `query($r: String!) { envelopes(region: $r) { edges { node { id } } } }`, { r: region.public }, auth);
    expect(ok.errors).toBeUndefined();
  });

  it('refuses a query costing more than GRAPHQL_MAX_COMPLEXITY (aliases and page sizes count)', async () => {
    const page = (a: string) => `${a}: envelopes(region: $r, first: 100) { edges { cursor node { id sealedLetter } } }`;
    const r = await gql(hub.url, `query($r: String!) { ${['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(page).join(' ')} }`, { r: region.public }, memberAuth(senders[0], region));
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maximum: 3000 });
    expect(r.errors?.[0].extensions?.complexity).toBeGreaterThan(3000);
    expect(r.errors?.[0].message).toMatch(/smaller pages/);
    const one = await gql(hub.url, `query($r: String!) { ${page('a')} }`, { r: region.public }, memberAuth(senders[0], region));
    expect(one.errors).toBeUndefined();
  });

  it('bounds the page size in the arguments', async () => {
    for (const first of [0, 101]) {
      const r = await gql(hub.url, `query($r: String!, $f: Int) { envelopes(region: $r, first: $f) { edges { cursor } } persons(region: $r, first: $f) { edges { cursor } } }`, { r: region.public, f: first }, memberAuth(senders[0], region));
      expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
      expect(r.errors?.[0].message).toMatch(/first/);
    }
  });

  it('refuses request bodies over GRAPHQL_MAX_BODY_BYTES with 413, and batched operations', async () => {
    const big = Array.from({ length: 60 }, () => toInput(publicPost(senders[1], region, randomBytes(1500).toString('base64'))));
    const r = await gql(hub.url, SUBMIT, { region: region.public, envelopes: big }, memberAuth(senders[1], region));
    expect(r.status, JSON.stringify(r).slice(0, 300)).toBe(413);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'REQUEST_TOO_LARGE', maximum: 65536 });
    const batch = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]) });
    expect(batch.status).toBe(400);
  });
});

describe('before execution, over WebSocket', () => {
  it('applies the same depth and complexity limits to subscriptions', async () => {
    const client = wsClient(hub.url, memberAuth(senders[0], region), region.public);
    const fields = Array.from({ length: 300 }, (_, i) => `a${i}: sender { name usage envelopeCount tier limit }`).join(' ');
    const sub = collect(client, `subscription($r: String!) { envelopeAdded(region: $r) { ${fields} } }`, { r: region.public });
    await sub.until(() => sub.done);
    const errors = (sub.error as any[]) ?? [];
    expect(errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maximum: 3000 });
    await client.dispose();
  });
});

describe('no N+1', () => {
  async function countStatements(run: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
      const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
      // the token's nonce, recorded once per request whatever it reads: not a read of the page
      if (!String(text).includes('sync_nonce')) seen.push(String(text).replace(/\s+/g, ' ').slice(0, 60));
      return (original as any).apply(this, args);
    } as any;
    try {
      await run();
    } finally {
      pg.Client.prototype.query = original;
    }
    return seen;
  }

  const PAGE_WITH_PEOPLE = `query($r: String!, $f: Int) { envelopes(region: $r, first: $f) { nodes { id sender { publicKey name usage envelopeCount tier limit } } } }`;

  it('a page of envelopes with their senders costs the same few statements for 5 or 100 senders', async () => {
    const auth = () => memberAuth(senders[2], region);
    await gql(hub.url, PAGE_WITH_PEOPLE, { r: region.public, f: 1 }, auth()); // region cache warm
    let small: any;
    let large: any;
    const few = await countStatements(async () => (small = await gql(hub.url, PAGE_WITH_PEOPLE, { r: region.public, f: 10 }, auth())));
    const many = await countStatements(async () => (large = await gql(hub.url, PAGE_WITH_PEOPLE, { r: region.public, f: 100 }, auth())));
    expect(new Set(small.data.envelopes.nodes.map((n: any) => n.sender.publicKey)).size).toBe(5);
    expect(new Set(large.data.envelopes.nodes.map((n: any) => n.sender.publicKey)).size).toBe(50);
    expect(large.data.envelopes.nodes[1].sender.name).toBe('name 0');
    // one page, one name lookup, one usage lookup, one quota-policy lookup
    expect(few).toHaveLength(4);
    expect(many).toEqual(few);
  });

  it('persons pages reuse the usage they already read', async () => {
    const q = `query($r: String!) { persons(region: $r, first: 50, orderBy: USAGE_DESC) { edges { node { publicKey name usage envelopeCount tier limit } } } }`;
    await gql(hub.url, q, { r: region.public }, memberAuth(senders[2], region));
    const statements = await countStatements(() => gql(hub.url, q, { r: region.public }, memberAuth(senders[2], region)));
    expect(statements).toHaveLength(3); // page, names, policies
  });

  it('listing regions with their totals and quota policy is two statements however many regions', async () => {
    const q = `{ regions { name stats { envelopes people } quotaPolicy { defaultBytes } } }`;
    const admin = `Bearer ${'l'.repeat(40)}`;
    const one = await countStatements(() => gql(hub.url, q, {}, admin));
    for (let i = 0; i < 4; i++) await hub.createRegion();
    let r: any;
    const five = await countStatements(async () => (r = await gql(hub.url, q, {}, admin)));
    expect(r.data.regions).toHaveLength(5);
    expect(r.data.regions[0].stats).toEqual({ envelopes: 120, people: 60 });
    expect(one).toHaveLength(2);
    expect(five).toEqual(one);
  });
});
