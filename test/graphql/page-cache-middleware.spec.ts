import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '@kiki/crypto';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people, publicPost } from '../support/envelopes';
import { memberAuth } from './client';

// What a page-cache hit skips. PageCache.attach (apps/hub/src/graphql/page-cache.ts) replaces the
// HTTP server's request listeners and answers cached pages BEFORE Express: every Express
// middleware mounted in bootstrap.ts and by GraphqlRequestLimit is skipped on that path unless the
// fast path does its work itself. This test pins the list, so a middleware added tomorrow (CORS, a
// new limit) fails here until someone decides whether a hit may skip it. A hit does itself: the
// security headers (common/security-headers.ts), the per-address rate limit (taken once per
// request, whichever path answers) and the request timing. Skipped: Apollo's own cache-control
// and vary headers and, while shutting down, the middleware that sets `Connection: close` (not
// tested here). The slower path (a body over 16 KiB) is answered by PageCache.middleware inside
// Express, after all of them.
let hub: TestHub;
let region: KeyPair;
const [alice] = people(1);
const ADDRESS_LIMIT = 10;
const PAGE = `query P($r: String!, $first: Int) { envelopes(region: $r, first: $first) { edges { node { id sequence } } pageInfo { hasNextPage } } }`;

beforeAll(async () => {
  hub = await startTestHub({ RUN_WORKERS: 'false', RATE_ADDRESS_PER_MINUTE: String(ADDRESS_LIMIT) });
  region = (await hub.createRegion('middleware')).keys;
  const envelopes = Array.from({ length: 3 }, (_, i) => publicPost(alice, region, `post ${i}`));
  const res = await fetch(`${hub.url}/sync/${region.public}/push`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeader(alice, region) }, body: JSON.stringify({ envelopes }) });
  expect(res.status).toBe(200); // 1 of the address limit
});
afterAll(() => hub?.close());

async function page(first: number, query = PAGE) {
  const res = await fetch(`${hub.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: memberAuth(alice, region) },
    body: JSON.stringify({ query, variables: { r: region.public, first } }),
  });
  return { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return Number(line?.split(' ').pop() ?? 0);
}
const hits = () => metric('kiki_hub_graphql_page_cache_total', 'result="hit"');
const graphqlTimings = () => metric('kiki_hub_http_request_duration_seconds_count', 'route="/graphql",status="200"');

/** Headers that do not depend on which path answered (they vary per response or are the same on both). */
const PER_RESPONSE = new Set(['date', 'content-length', 'connection', 'keep-alive', 'content-type']);

describe('a GraphQL page-cache hit', () => {
  it('carries the same headers as the page Apollo answered, but for Apollo\'s own cache-control and vary', async () => {
    const miss = await page(2);
    const hit = await page(2);
    expect(hit.status).toBe(200);
    expect(hit.text).toBe(miss.text);
    const skipped = Object.keys(miss.headers).filter((h) => !PER_RESPONSE.has(h) && !(h in hit.headers)).sort();
    const added = Object.keys(hit.headers).filter((h) => !PER_RESPONSE.has(h) && !(h in miss.headers)).sort();
    expect(skipped.filter((h) => !APOLLO.has(h))).toEqual([]);
    expect(added).toEqual([]);
    for (const h of HELMET) expect(hit.headers[h], h).toBe(miss.headers[h]);
    expect(hit.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('is still counted: the page-cache hit counter and the HTTP request timing of POST /graphql', async () => {
    await page(1); // miss, stored
    const [hitsBefore, timingsBefore] = [await hits(), await graphqlTimings()];
    const hit = await page(1);
    expect(hit.status).toBe(200);
    expect(await hits()).toBe(hitsBefore + 1);
    expect(await graphqlTimings()).toBe(timingsBefore + 1);
  });

  it('counts against the per-address rate limit like a miss, once per request', async () => {
    // RATE_ADDRESS_PER_MINUTE=10: the push, two misses and two hits above took 5
    for (let i = 0; i < 5; i++) expect((await page(2)).status).toBe(200); // hits: the 6th to the 10th
    const refused = await page(2); // a hit would be the 11th
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(refused.headers['x-content-type-options']).toBeUndefined(); // refused before any page work
    expect((await page(7)).status).toBe(429); // a miss is refused as well
  });
});

/** helmet's headers (common/security-headers.ts): sent on a hit exactly as on a miss. */
const HELMET = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

/** Apollo's own headers, which a hit does not send (the page's bytes are the same). */
const APOLLO = new Set(['cache-control', 'vary']);
