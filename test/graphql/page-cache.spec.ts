import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base58Decode, createSyncToken, type KeyPair } from '@kiki/crypto';
import { EnvelopeRepository } from '@kiki/storage';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHubApp } from '../../apps/hub/src/bootstrap';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people, publicPost } from '../support/envelopes';
import { gql, memberAuth } from './client';

// The shared page cache in front of Apollo (apps/hub/src/graphql/page-cache.ts), over real HTTP.
let hub: TestHub;
let region: KeyPair;
let regionId: number;
let other: KeyPair;
const [alice, bob] = people(2);
const PAGE = `query P($r: String!, $first: Int, $after: String) {
  envelopes(region: $r, first: $first, after: $after) { edges { cursor node { id sequence sender { publicKey } sealedLetter } } pageInfo { hasNextPage endCursor } }
}`;

beforeAll(async () => {
  hub = await startTestHub({ RUN_WORKERS: 'false' });
  const created = await hub.createRegion('cached');
  region = created.keys;
  regionId = created.regionId;
  other = (await hub.createRegion('other')).keys;
  await push(hub.url, region, 5);
  await push(hub.url, other, 2);
});
afterAll(() => hub?.close());

async function push(url: string, r: KeyPair, n: number): Promise<string[]> {
  const envelopes = Array.from({ length: n }, (_, i) => publicPost(alice, r, `post ${i} ${Math.random()}`));
  const res = await fetch(`${url}/sync/${r.public}/push`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeader(alice, r) }, body: JSON.stringify({ envelopes }) });
  expect(((await res.json()) as { stored: number }).stored).toBe(n);
  return envelopes.map((e) => e.id);
}

/** The raw answer: status, content type and body text exactly as sent. */
async function raw(url: string, variables: Record<string, unknown>, authorization: string | undefined, query = PAGE, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function counters(url = hub.url): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (result: string) => Number(new RegExp(`kiki_hub_graphql_page_cache_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { hit: read('hit'), miss: read('miss') };
}

const ids = (text: string): string[] => {
  const body = JSON.parse(text);
  if (!body.data?.envelopes) throw new Error(`no page: ${text}`);
  return body.data.envelopes.edges.map((e: any) => e.node.id);
};

describe('the GraphQL page cache', () => {
  it('answers a repeated page with the same bytes Apollo sent, for every member with a fresh token', async () => {
    const before = await counters();
    const first = await raw(hub.url, { r: region.public, first: 3 }, memberAuth(alice, region));
    const again = await raw(hub.url, { r: region.public, first: 3 }, memberAuth(bob, region));
    expect(first.status).toBe(200);
    expect(ids(first.text)).toHaveLength(3);
    expect(again).toEqual(first);
    expect(await counters()).toEqual({ hit: before.hit + 1, miss: before.miss + 1 });
  });

  it('keeps a full page across appends, and it still equals a fresh read', async () => {
    const cached = await raw(hub.url, { r: region.public, first: 2 }, memberAuth(alice, region));
    await push(hub.url, region, 2);
    const before = await counters();
    const after = await raw(hub.url, { r: region.public, first: 2 }, memberAuth(alice, region));
    expect(after).toEqual(cached);
    expect((await counters()).hit).toBe(before.hit + 1);
    // the same page executed (another text is another entry): what the cache sent is still exact
    const fresh = await gql(hub.url, `${PAGE} `, { r: region.public, first: 2 }, memberAuth(alice, region));
    expect(fresh.data.envelopes).toEqual(JSON.parse(after.text).data.envelopes);
  });

  it('does not serve a page that was not full once something was appended', async () => {
    const variables = { r: region.public, first: 100 };
    const cached = await raw(hub.url, variables, memberAuth(alice, region));
    expect(JSON.parse(cached.text).data.envelopes.pageInfo.hasNextPage).toBe(false);
    expect((await raw(hub.url, variables, memberAuth(alice, region))).text).toBe(cached.text);
    const added = await push(hub.url, region, 1);
    const before = await counters();
    const after = await raw(hub.url, variables, memberAuth(alice, region));
    expect(ids(after.text)).toEqual([...ids(cached.text), ...added]);
    expect(await counters()).toEqual({ hit: before.hit, miss: before.miss + 1 });
  });

  it('drops every page of the region when an envelope is removed, full pages included', async () => {
    const variables = { r: region.public, first: 2 };
    const [gone] = ids((await raw(hub.url, variables, memberAuth(alice, region))).text);
    await hub.app.get(EnvelopeRepository).remove(regionId, [Buffer.from(base58Decode(gone))], 'admin');
    const after = await raw(hub.url, variables, memberAuth(alice, region));
    expect(ids(after.text)).not.toContain(gone);
    expect(ids(after.text)).toHaveLength(2);
  });

  it('still checks every request: no token, a replayed one, another region\'s, an expired one', async () => {
    const variables = { r: region.public, first: 3 };
    const good = memberAuth(alice, region);
    const page = await raw(hub.url, variables, good);
    expect((await raw(hub.url, variables, memberAuth(alice, region))).text).toBe(page.text);
    const before = await counters();
    const refusal = async (authorization: string | undefined) => {
      const r = await raw(hub.url, variables, authorization);
      const body = JSON.parse(r.text);
      expect(body.data?.envelopes ?? null).toBeNull();
      return { code: body.errors[0].extensions.code, reason: body.errors[0].extensions.reason };
    };
    expect(await refusal(undefined)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await refusal(good)).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REPLAYED' });
    expect(await refusal(memberAuth(alice, other))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await refusal(`Kiki ${createSyncToken(alice, region, { now: new Date(Date.now() - 3600_000) })}`)).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
    expect((await counters()).hit).toBe(before.hit);
  });

  it('keeps regions apart: the same query text for two regions gives two pages', async () => {
    const mine = await raw(hub.url, { r: region.public, first: 3 }, memberAuth(alice, region));
    const theirs = await raw(hub.url, { r: other.public, first: 3 }, memberAuth(alice, other));
    expect(ids(theirs.text)).toHaveLength(2);
    expect(ids(theirs.text).filter((id) => ids(mine.text).includes(id))).toEqual([]);
  });

  it('never caches what can change without a new envelope (a person\'s usage), nor other answer types', async () => {
    const usage = `query($r: String!) { envelopes(region: $r, first: 2) { edges { node { id sender { publicKey usage } } } } }`;
    const before = await counters();
    for (let i = 0; i < 2; i++) expect((await gql(hub.url, usage, { r: region.public }, memberAuth(alice, region))).errors).toBeUndefined();
    expect(await counters()).toEqual(before);
    // Apollo chooses the content type from Accept: such requests are always executed
    const typed = await raw(hub.url, { r: region.public, first: 3 }, memberAuth(alice, region), PAGE, { accept: 'application/graphql-response+json' });
    expect(typed.type).toContain('application/graphql-response+json');
    expect(ids(typed.text)).toHaveLength(3);
    expect((await counters()).hit).toBe(before.hit);
  });

  it('sees what another hub process stored: the version comes from Postgres', async () => {
    let second: NestExpressApplication | undefined;
    try {
      second = await createHubApp(hub.config, { logger: false });
      await second.listen(0, '127.0.0.1');
      const url = `http://127.0.0.1:${(second.getHttpServer().address() as { port: number }).port}`;
      const variables = { r: region.public, first: 100 };
      const cached = await raw(url, variables, memberAuth(alice, region));
      expect((await raw(url, variables, memberAuth(alice, region))).text).toBe(cached.text);
      const added = await push(hub.url, region, 2);
      expect(ids((await raw(url, variables, memberAuth(alice, region))).text)).toEqual([...ids(cached.text), ...added]);
    } finally {
      await second?.close();
    }
  });

  it('answers what it does not serve exactly as a hub without the cache: bad JSON, other bodies, other types', async () => {
    // arm the cache (the fast path reads bodies itself only while it holds pages)
    await raw(hub.url, { r: region.public, first: 3 }, memberAuth(alice, region));
    const bare = await startTestHub({ RUN_WORKERS: 'false', GRAPHQL_PAGE_CACHE_MB: '0' });
    try {
      const send = async (url: string, body: string, headers: Record<string, string>) => {
        const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body });
        return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
      };
      const json = { 'content-type': 'application/json' };
      const cases: Array<[string, Record<string, string>]> = [
        ['{"query": "{ __typename }"', json],
        ['[1, 2]', json],
        ['{"query": "{ __typename }", "extensions": {}}', json],
        ['{"query": "{ __typename }"}', { 'content-type': 'application/json; charset=latin1' }],
        ['{"query": "{ __typename }"}', { 'content-type': 'text/plain' }],
        [JSON.stringify({ query: `{ __typename }`, padding: 'x'.repeat(20_000) }), json],
      ];
      for (const [body, headers] of cases) {
        const [mine, theirs] = [await send(hub.url, body, headers), await send(bare.url, body, headers)];
        expect(mine, body.slice(0, 60)).toEqual(theirs);
      }
    } finally {
      await bare.close();
    }
  });

  it('is off with GRAPHQL_PAGE_CACHE_MB=0', async () => {
    const bare = await startTestHub({ RUN_WORKERS: 'false', GRAPHQL_PAGE_CACHE_MB: '0' });
    try {
      const r = await bare.createRegion('bare');
      await push(bare.url, r.keys, 1);
      for (let i = 0; i < 2; i++) expect(ids((await raw(bare.url, { r: r.keys.public }, memberAuth(alice, r.keys))).text)).toHaveLength(1);
      expect(await counters(bare.url)).toEqual({ hit: 0, miss: 0 });
    } finally {
      await bare.close();
    }
  });
});
