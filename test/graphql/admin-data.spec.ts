import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, type KeyPair, seal } from '@kiki/crypto';
import { personPageSql, QuotaRepository } from '@kiki/storage';
import { DataSource } from 'typeorm';
import { EvictionService } from '../../apps/hub/src/quota/eviction.service';
import { startTestHub, type TestHub } from '../support/hub';
import { people, publicAction } from '../support/envelopes';
import { codeOf, gql, memberAuth, SUBMIT, toInput } from './client';

const TOKEN = 'd'.repeat(40);
const ADMIN = `Bearer ${TOKEN}`;
let hub: TestHub;

beforeAll(async () => {
  // no workers: nothing is evicted unless a test runs the worker's enforce() itself
  hub = await startTestHub({ ADMIN_TOKEN: TOKEN, RUN_WORKERS: 'false', QUOTA_SWEEP_EVERY_SECONDS: '0' });
});
afterAll(() => hub?.close());

const post = (who: KeyPair, region: KeyPair, day: number, size = 600) =>
  seal({ purpose: 'share-text', content: `${day}`.repeat(size), recipients: [region.public] }, who, region.public, { now: new Date(Date.UTC(2026, 0, day)) });
const bytesOf = (envs: Envelope[]) => envs.reduce((s, e) => s + e.sealed_letter.length, 0);

/**
 * A region with people at known pressures: big (over the default limit), mid (95 % of it),
 * small, named (has a name), tr (trusted), ov (own override, over it), un (unlimited).
 */
async function seed(name: string) {
  const ctx = await hub.createRegion(name);
  const region = ctx.keys;
  const [big, mid, small, named, tr, ov, un] = people(7);
  const posts = {
    big: [1, 2, 3, 4].map((d) => post(big, region, d)),
    mid: [1, 2].map((d) => post(mid, region, d)),
    small: [post(small, region, 1)],
    named: [post(named, region, 1)],
    tr: [1, 2, 3, 4].map((d) => post(tr, region, d)),
    ov: [1, 2].map((d) => post(ov, region, d)),
    un: [1, 2, 3].map((d) => post(un, region, d)),
  };
  const keys = { big, mid, small, named, tr, ov, un };
  for (const [k, envs] of Object.entries(posts)) {
    const who = keys[k as keyof typeof keys];
    const extra = k === 'named' ? [publicAction(who, region, 'action-assign/name', 'Zoë Example')] : [];
    const r = await gql(hub.url, SUBMIT, { region: region.public, envelopes: [...envs, ...extra].map(toInput) }, memberAuth(who, region));
    expect(r.data.submitEnvelopes.stored).toBe(envs.length + extra.length);
  }
  const bytes = Object.fromEntries(Object.entries(posts).map(([k, v]) => [k, bytesOf(v)])) as Record<keyof typeof posts, number>;
  const defaultBytes = Math.ceil(bytes.mid / 0.95);
  const trustedBytes = 100 * defaultBytes;
  const set = async (q: string, v: Record<string, unknown>) => expect((await gql(hub.url, q, { r: region.public, ...v }, ADMIN)).errors).toBeUndefined();
  await set(`mutation($r: String!, $d: Float, $t: Float) { setQuotaPolicy(region: $r, defaultBytes: $d, trustedBytes: $t) { defaultBytes } }`, { d: defaultBytes, t: trustedBytes });
  const tier = `mutation($r: String!, $k: String!, $t: QuotaTier!, $o: Float) { setPersonTier(region: $r, publicKey: $k, tier: $t, overrideBytes: $o) { tier } }`;
  await set(tier, { k: tr.public, t: 'TRUSTED' });
  await set(tier, { k: ov.public, t: 'DEFAULT', o: bytes.ov - 1 });
  await set(tier, { k: un.public, t: 'UNLIMITED' });
  const limits: Record<string, number | null> = { big: defaultBytes, mid: defaultBytes, small: defaultBytes, named: defaultBytes, tr: trustedBytes, ov: bytes.ov - 1, un: null };
  return { ctx, region, keys, posts, bytes, limits, defaultBytes, trustedBytes };
}

const PERSONS = `query($r: String!, $o: PersonOrder, $first: Int, $after: String, $s: String) {
  persons(region: $r, orderBy: $o, first: $first, after: $after, search: $s) {
    nodes { publicKey name usage limit tier override pressure ingestBytesLastHour projectedFullAt }
    pageInfo { hasNextPage endCursor } } }`;

async function allPages(region: KeyPair, vars: Record<string, unknown>) {
  const out: any[] = [];
  let after: string | null = null;
  for (let i = 0; i < 20; i++) {
    const r: any = await gql(hub.url, PERSONS, { r: region.public, first: 2, after, ...vars }, ADMIN);
    expect(r.errors).toBeUndefined();
    out.push(...r.data.persons.nodes);
    if (!r.data.persons.pageInfo.hasNextPage) break;
    after = r.data.persons.pageInfo.endCursor;
  }
  return out;
}

describe('persons for the dashboard', () => {
  it('orders by pressure (usage ÷ limit), unlimited last, across pages, with the new fields', async () => {
    const s = await seed('pressure');
    const keyOf = Object.fromEntries(Object.entries(s.keys).map(([k, v]) => [v.public, k]));
    const got = await allPages(s.region, { o: 'PRESSURE_DESC' });
    const expected = Object.keys(s.keys)
      .map((k) => ({ k, key: s.keys[k as keyof typeof s.keys].public, p: s.limits[k] === null ? null : s.bytes[k as keyof typeof s.bytes] / s.limits[k]! }))
      .sort((a, b) => (a.p === null ? 1 : b.p === null ? -1 : b.p - a.p || (a.key < b.key ? -1 : 1)));
    expect(got.map((n) => keyOf[n.publicKey])).toEqual(expected.map((e) => e.k));
    for (const n of got) {
      const k = keyOf[n.publicKey] as keyof typeof s.bytes;
      expect(n.pressure).toBe(s.limits[k] === null ? null : s.bytes[k] / s.limits[k]!);
      expect(n.ingestBytesLastHour).toBe(s.bytes[k]);
    }
    const byKey = Object.fromEntries(got.map((n) => [keyOf[n.publicKey], n]));
    expect(byKey.ov).toMatchObject({ override: s.bytes.ov - 1, limit: s.bytes.ov - 1, tier: 'DEFAULT' });
    expect(byKey.tr).toMatchObject({ override: null, tier: 'TRUSTED', limit: s.trustedBytes });
    expect(byKey.un).toMatchObject({ pressure: null, limit: null, projectedFullAt: null, tier: 'UNLIMITED' });
    // over the limit: full now; growing: at the pace of the last hour
    expect(Math.abs(Date.parse(byKey.big.projectedFullAt) - Date.now())).toBeLessThan(60_000);
    const hours = (s.defaultBytes - s.bytes.small) / s.bytes.small;
    expect(Math.abs(Date.parse(byKey.small.projectedFullAt) - (Date.now() + hours * 3600_000))).toBeLessThan(60_000);
    expect(byKey.named.name).toBe('Zoë Example');
  });

  it('searches by key prefix and by name, in any order', async () => {
    const s = await seed('search');
    const prefix = s.keys.mid.public.slice(0, 6);
    const byKey = await allPages(s.region, { s: prefix, o: 'USAGE_DESC' });
    expect(byKey.map((n) => n.publicKey)).toContain(s.keys.mid.public);
    expect(byKey.every((n) => n.publicKey.startsWith(prefix))).toBe(true);
    for (const o of ['PRESSURE_DESC', 'PUBLIC_KEY', 'ENVELOPES_DESC']) {
      expect((await allPages(s.region, { s: 'zoë', o })).map((n) => n.publicKey)).toEqual([s.keys.named.public]);
    }
    // LIKE wildcards are plain text
    expect(await allPages(s.region, { s: '%' })).toEqual([]);
    expect(await allPages(s.region, { s: '_' })).toEqual([]);
  });

  it('refuses bad input', async () => {
    const s = await seed('bad-persons');
    const q = (v: Record<string, unknown>) => gql(hub.url, PERSONS, { r: s.region.public, ...v }, ADMIN);
    expect((await q({ s: 'x'.repeat(101) })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await q({ s: '' })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const usageCursor = (await q({ o: 'USAGE_DESC', first: 1 })).data.persons.pageInfo.endCursor;
    expect((await q({ o: 'PRESSURE_DESC', after: usageCursor })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const forged = Buffer.from('p1:' + JSON.stringify(['pressure', 'NaN', 'x'])).toString('base64url');
    expect((await q({ o: 'PRESSURE_DESC', after: forged })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('region stats for the overview', () => {
  it('counts people over and near their limit, and the last hour of ingest', async () => {
    const s = await seed('stats');
    const r = await gql(hub.url, `{ regions { publicKey stats { envelopes bytes people peopleOverLimit peopleNearLimit ingestLastHour { envelopes bytes } } } }`, {}, ADMIN);
    expect(r.errors).toBeUndefined();
    const stats = r.data.regions.find((x: any) => x.publicKey === s.region.public).stats;
    const total = Object.values(s.bytes).reduce((a, b) => a + b, 0);
    const envelopes = Object.values(s.posts).reduce((a, b) => a + b.length, 0) + 1; // + the name action
    // over: big and ov; near: mid (95 %)
    expect(stats).toEqual({ envelopes, bytes: total, people: 7, peopleOverLimit: 2, peopleNearLimit: 1, ingestLastHour: { envelopes, bytes: total } });
  });
});

describe('dry runs', () => {
  it('previewPersonTier says exactly what the worker then evicts, and changes nothing', async () => {
    const s = await seed('preview-tier');
    const q = `query($r: String!, $k: String!, $o: Float) { previewPersonTier(region: $r, publicKey: $k, tier: DEFAULT, overrideBytes: $o) { people envelopes bytes complete } }`;
    const limit = s.bytes.mid - 1;
    const preview = await gql(hub.url, q, { r: s.region.public, k: s.keys.mid.public, o: limit }, ADMIN);
    expect(preview.data.previewPersonTier).toEqual({ people: 1, envelopes: 1, bytes: s.posts.mid[0].sealed_letter.length, complete: true });
    // nothing changed
    const person = await gql(hub.url, `query($r: String!, $k: String!) { person(region: $r, publicKey: $k) { usage override } }`, { r: s.region.public, k: s.keys.mid.public }, ADMIN);
    expect(person.data.person).toEqual({ usage: s.bytes.mid, override: null });
    // the change, then the worker's own enforcement
    await gql(hub.url, `mutation($r: String!, $k: String!, $o: Float) { setPersonTier(region: $r, publicKey: $k, tier: DEFAULT, overrideBytes: $o) { tier } }`, { r: s.region.public, k: s.keys.mid.public, o: limit }, ADMIN);
    const done = await hub.app.get(EvictionService).enforce(s.ctx.regionId, s.keys.mid.public);
    expect(done.evicted).toBe(1);
    expect(s.bytes.mid - done.bytes).toBe(preview.data.previewPersonTier.bytes);
    // a tier that stops evicting previews nothing
    const none = await gql(hub.url, `query($r: String!, $k: String!) { previewPersonTier(region: $r, publicKey: $k, tier: UNLIMITED) { people envelopes bytes } }`, { r: s.region.public, k: s.keys.big.public }, ADMIN);
    expect(none.data.previewPersonTier).toEqual({ people: 0, envelopes: 0, bytes: 0 });

    // evictions filters: the eviction above is OLDEST, within the last minute
    const E = `query($r: String!, $p: String, $reason: EvictionReason, $since: DateTime, $until: DateTime) {
      evictions(region: $r, person: $p, reason: $reason, since: $since, until: $until) { nodes { envelopeId reason } } }`;
    const ev = (v: Record<string, unknown>) => gql(hub.url, E, { r: s.region.public, ...v }, ADMIN);
    const minuteAgo = new Date(Date.now() - 60_000).toISOString();
    const later = new Date(Date.now() + 60_000).toISOString();
    expect((await ev({ reason: 'OLDEST', since: minuteAgo, until: later })).data.evictions.nodes).toEqual([{ envelopeId: s.posts.mid[0].id, reason: 'OLDEST' }]);
    expect((await ev({ reason: 'LARGE' })).data.evictions.nodes).toEqual([]);
    expect((await ev({ since: later })).data.evictions.nodes).toEqual([]);
    expect((await ev({ until: minuteAgo })).data.evictions.nodes).toEqual([]);
    expect((await ev({ p: s.keys.big.public })).data.evictions.nodes).toEqual([]);
    expect((await ev({ since: later, until: minuteAgo })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'since' });
    expect((await ev({ reason: 'NOPE' })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('previewQuotaPolicy says exactly what enforcing the new limits evicts, and changes nothing', async () => {
    const s = await seed('preview-policy');
    // small's and named's single posts differ by a few bytes (random keys are 43 or 44 base58
    // characters inside the sealed letter): the new limit must put both over it
    const newDefault = Math.min(s.bytes.small, s.bytes.named) - 1;
    const q = `query($r: String!, $d: Float) { previewQuotaPolicy(region: $r, defaultBytes: $d) { people envelopes bytes complete } }`;
    const preview = (await gql(hub.url, q, { r: s.region.public, d: newDefault }, ADMIN)).data.previewQuotaPolicy;
    // big, mid, small, named under the new default; ov under its own override; tr and un untouched
    expect(preview).toMatchObject({ people: 5, complete: true });
    const policy = await gql(hub.url, `query($r: String!) { region(publicKey: $r) { quotaPolicy { defaultBytes } } }`, { r: s.region.public }, ADMIN);
    expect(policy.data.region.quotaPolicy.defaultBytes).toBe(s.defaultBytes);

    await gql(hub.url, `mutation($r: String!, $d: Float) { setQuotaPolicy(region: $r, defaultBytes: $d) { defaultBytes } }`, { r: s.region.public, d: newDefault }, ADMIN);
    const quota = hub.app.get(QuotaRepository);
    const eviction = hub.app.get(EvictionService);
    let envelopes = 0;
    let freed = 0;
    const over = await quota.overLimit(s.ctx.regionId);
    for (const person of over) {
      const before = (await quota.usage(s.ctx.regionId, person)).bytes;
      const r = await eviction.enforce(s.ctx.regionId, person);
      envelopes += r.evicted;
      freed += before - r.bytes;
    }
    expect(over).toHaveLength(5);
    expect({ envelopes, bytes: freed }).toEqual({ envelopes: preview.envelopes, bytes: preview.bytes });
  });

  it('refuses bad input and out-of-scope callers', async () => {
    const s = await seed('preview-bad');
    const tier = (v: Record<string, unknown>, auth = ADMIN) =>
      gql(hub.url, `query($r: String!, $k: String!, $t: QuotaTier!, $o: Float) { previewPersonTier(region: $r, publicKey: $k, tier: $t, overrideBytes: $o) { envelopes } }`, { r: s.region.public, k: s.keys.big.public, t: 'DEFAULT', ...v }, auth);
    expect((await tier({ t: 'UNLIMITED', o: 5 })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'overrideBytes' });
    expect((await tier({ o: -1 })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'overrideBytes' });
    expect((await tier({ o: 1.5 })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((await tier({ k: 'not-a-key' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(codeOf(await tier({}, memberAuth(s.keys.big, s.region)))).toBe('FORBIDDEN');
    expect(codeOf(await tier({}, ''))).toBe('UNAUTHENTICATED');
    const pol = await gql(hub.url, `query($r: String!) { previewQuotaPolicy(region: $r, defaultBytes: -5) { envelopes } }`, { r: s.region.public }, ADMIN);
    expect(pol.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'defaultBytes' });
  });
});

describe('the persons page plan', () => {
  it('walks an index, never sorting the region (EXPLAIN ANALYZE, 20,000 people)', async () => {
    const ctx = await hub.createRegion('plan');
    const ds = hub.app.get(DataSource);
    await ds.query(
      `INSERT INTO person_usage (region_id, person, bytes, envelopes)
       SELECT $1, 'p' || lpad(g::text, 6, '0'), (g * 7919) % 1000003, 1 + g % 50 FROM generate_series(1, 20000) g`,
      [ctx.regionId],
    );
    await ds.query(`INSERT INTO person_policy (region_id, person, tier, override_bytes) SELECT $1, 'p' || lpad(g::text, 6, '0'), 'default', 1000 + g FROM generate_series(1, 20000, 400) g`, [ctx.regionId]);
    await ds.query('ANALYZE person_usage');
    await ds.query('ANALYZE person_policy');
    const sortedInputs = (node: any, out: number[] = []): number[] => {
      if (node['Node Type'] === 'Sort' || node['Node Type'] === 'Incremental Sort') out.push(...(node.Plans ?? []).map((c: any) => c['Actual Rows'] * (c['Actual Loops'] ?? 1)));
      for (const c of node.Plans ?? []) sortedInputs(c, out);
      return out;
    };
    const first = await hub.app.get(DataSource).query(`SELECT person, bytes FROM person_usage WHERE region_id = $1 ORDER BY bytes DESC LIMIT 1`, [ctx.regionId]);
    for (const q of [
      { orderBy: 'pressure' as const, limit: 51 },
      { orderBy: 'pressure' as const, limit: 51, after: { value: first[0].bytes / 5_000_000, person: first[0].person } },
      { orderBy: 'usage' as const, limit: 51 },
    ]) {
      const { sql, params } = personPageSql(ctx.regionId, q);
      const [{ 'QUERY PLAN': [plan] }] = await ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
      const text = JSON.stringify(plan);
      expect(text).toContain('person_usage_region_bytes_idx');
      // only the page-sized merges and the 50 policy rows are sorted, never the 20,000
      expect(Math.max(0, ...sortedInputs(plan.Plan))).toBeLessThanOrEqual(200);
    }
    // the check itself sees a whole-region sort: ENVELOPES_DESC has no index of its own
    const { sql, params } = personPageSql(ctx.regionId, { orderBy: 'envelopes', limit: 51 });
    const [{ 'QUERY PLAN': [plan] }] = await ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
    expect(Math.max(0, ...sortedInputs(plan.Plan))).toBe(20000);
  });
});
