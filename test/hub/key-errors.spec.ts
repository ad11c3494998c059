import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base58Encode, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { startTestHub, type TestHub } from '../support/hub';
import { authHeader, people, publicPost } from '../support/envelopes';
import { gql, memberAuth } from '../graphql/client';

/**
 * One malformed key or envelope id answers the one code INVALID_KEY (HTTP 400; GraphQL:
 * BAD_USER_INPUT with reason INVALID_KEY) on every surface, names the field, and changes nothing.
 */

const TOKEN = 'k'.repeat(40);
const ADMIN = `Bearer ${TOKEN}`;
let hub: TestHub;
let region: KeyPair;
const [alice] = people(1);

const valid = generateKeyPair().public;
/** Malformed keys and ids as JSON carries them; the path surfaces get their text (when they can be sent at all). */
const MALFORMED: Array<[string, unknown]> = [
  ['empty', ''],
  ['characters outside base58', '0OIl'],
  ['whitespace around a key', ` ${valid}`],
  ['31 bytes', base58Encode(randomBytes(31).fill(7, 0, 1))],
  ['33 bytes', base58Encode(randomBytes(33).fill(7, 0, 1))],
  ['very long', 'z'.repeat(5000)],
  ['unicode', `${valid.slice(0, 40)}ключ`],
  ['a key with an accent', `é${valid.slice(1)}`],
  ['null', null],
  ['a number', 12345],
];

type Answer = { status: number; code?: string; field?: string };

async function rest(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = authHeader(alice, region)): Promise<Answer> {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as { code?: string; field?: string };
  return { status: res.status, code: json.code, field: json.field };
}

async function graphql(query: string, variables: Record<string, unknown>, authorization: string): Promise<Answer> {
  const r = await gql(hub.url, query, variables, authorization);
  const ext = r.errors?.[0]?.extensions ?? {};
  return { status: r.status, code: ext.reason ?? ext.code, field: ext.field };
}

const asPath = (v: unknown) => encodeURIComponent(String(v));

/** Each surface: how to send one malformed value, and which field the answer must name. */
const SURFACES: Array<{ name: string; field?: string; path?: boolean; graphql?: boolean; send: (bad: unknown) => Promise<Answer> }> = [
  { name: 'POST /sync/:region/fetch (ids)', field: 'ids[0]', send: (bad) => rest('POST', `/sync/${region.public}/fetch`, { ids: [bad] }) },
  { name: 'GET /sync/:region/pull (region)', field: 'region', path: true, send: (bad) => rest('GET', `/sync/${asPath(bad)}/pull`) },
  // the original routes keep kiki's error shape ({status, error, code}): no field
  { name: 'GET /r/:region/download/:id (id)', path: true, send: (bad) => rest('GET', `/r/${region.public}/download/${asPath(bad)}`, undefined, {}) },
  { name: 'GET /r/:region/ping (region)', path: true, send: (bad) => rest('GET', `/r/${asPath(bad)}/ping`, undefined, {}) },
  {
    name: 'GraphQL query envelope(id)',
    field: 'id',
    graphql: true,
    send: (bad) => graphql(`query($r: String!, $k: ID!) { envelope(region: $r, id: $k) { id } }`, { r: region.public, k: bad }, memberAuth(alice, region)),
  },
  {
    name: 'GraphQL query envelopes(sender)',
    field: 'sender',
    graphql: true,
    send: (bad) => graphql(`query($r: String!, $k: String) { envelopes(region: $r, sender: $k) { nodes { id } } }`, { r: region.public, k: bad }, memberAuth(alice, region)),
  },
  {
    name: 'GraphQL query person(region)',
    field: 'region',
    graphql: true,
    send: (bad) => graphql(`query($r: String!, $k: String!) { person(region: $r, publicKey: $k) { publicKey } }`, { r: bad, k: alice.public }, memberAuth(alice, region)),
  },
  {
    name: 'admin GraphQL mutation setPersonTier(publicKey)',
    field: 'publicKey',
    graphql: true,
    send: (bad) => graphql(`mutation($r: String!, $k: String!) { setPersonTier(region: $r, publicKey: $k, tier: TRUSTED) { publicKey } }`, { r: region.public, k: bad }, ADMIN),
  },
  {
    name: 'admin GraphQL mutation restoreEnvelopes(ids)',
    field: 'ids[0]',
    graphql: true,
    send: (bad) => graphql(`mutation($r: String!, $k: String!) { restoreEnvelopes(region: $r, ids: [$k]) }`, { r: region.public, k: bad }, ADMIN),
  },
  {
    name: 'admin GraphQL mutation importRegion(publicKey)',
    field: 'publicKey',
    graphql: true,
    send: (bad) => {
      const keys = generateKeyPair();
      return graphql(`mutation($k: String!, $s: String!) { importRegion(name: "bad key", publicKey: $k, privateKey: $s) { name } }`, { k: bad, s: keys.private }, ADMIN);
    },
  },
];

/** Every table's rows, hashed: what a refused request must leave as it was (nonces of the tokens it used aside). */
async function snapshot(): Promise<Record<string, string>> {
  const ds = hub.app.get(DataSource);
  const tables: Array<{ name: string }> = await ds.query(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('sync_nonce', 'migrations') ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const rows: Array<{ t: string }> = await ds.query(`SELECT t::text AS t FROM "${name}" t ORDER BY 1`);
    out[name] = createHash('sha256').update(rows.map((r) => r.t).join('\n')).digest('hex');
  }
  return out;
}

beforeAll(async () => {
  hub = await startTestHub({ ADMIN_TOKEN: TOKEN, RUN_WORKERS: 'false', QUOTA_SWEEP_EVERY_SECONDS: '0' });
  region = (await hub.createRegion('key errors')).keys;
  // something to leave unchanged: a stored envelope, its sender's usage
  const env = publicPost(alice, region, 'held');
  expect((await rest('POST', `/sync/${region.public}/push`, { envelopes: [env] })).status).toBe(200);
});
afterAll(() => hub?.close());

describe('a malformed key or id', () => {
  for (const surface of SURFACES) {
    it(`answers INVALID_KEY on ${surface.name}${surface.field ? `, naming ${surface.field},` : ''} and changes nothing`, async () => {
      const before = await snapshot();
      for (const [what, bad] of MALFORMED) {
        // an empty path segment is another route (404); GraphQL's type system refuses non-strings itself (below)
        if ((surface.path && bad === '') || (surface.graphql && typeof bad !== 'string')) continue;
        const answer = await surface.send(surface.path ? String(bad) : bad);
        expect(answer, `${surface.name}: ${what}`).toEqual({ status: surface.graphql ? 200 : 400, code: 'INVALID_KEY', field: surface.field });
      }
      expect(await snapshot()).toEqual(before);
    });
  }

  it('that is not text at all is refused by GraphQL itself (a String argument), before any resolver runs', async () => {
    const before = await snapshot();
    const admin = SURFACES.find((s) => s.name.includes('setPersonTier'))!;
    for (const bad of [null, 12345, ['x']]) expect(await admin.send(bad)).toMatchObject({ code: 'BAD_USER_INPUT', field: undefined });
    expect(await snapshot()).toEqual(before);
  });
});
