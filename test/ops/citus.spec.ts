import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair } from '@kiki/crypto';
import { DataSource } from 'typeorm';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { authHeader, publicPost } from '../support/envelopes';
import { startTestHub, type TestHub } from '../support/hub';
import { gql, memberAuth } from '../graphql/client';
import { at, letter, noise, quotaIdle } from '../quota/support/quota';

// Citus cannot be installed here (no package in the registries this project may use, and it
// needs a cluster): this checks instead that the schema and the hot-path SQL obey the rules a
// Citus deployment distributed by region_id needs (docs/operations.md#citus). The DDL there
// makes `region` a reference table and distributes every other table by region_id.

/** Replicated to every node: small, one row per region, with a unique key that is not region_id. */
const REFERENCE = ['region'];
/** The coordinator's own bookkeeping. */
const LOCAL = ['migrations'];

let hub: TestHub;
let ds: DataSource;
let distributed: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({ REDIS_URL: 'none', QUOTA_SWEEP_EVERY_SECONDS: '0', ADMIN_TOKEN: 'c'.repeat(40) });
  ds = hub.app.get(DataSource);
  const tables: Array<{ t: string }> = await ds.query(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  distributed = tables.map((r) => r.t).filter((t) => !REFERENCE.includes(t) && !LOCAL.includes(t)).sort();
});
afterAll(() => hub?.close());

describe('the schema obeys Citus rules for distribution by region_id', () => {
  it('every table but the reference and local ones has region_id', async () => {
    expect(distributed).toEqual(expect.arrayContaining(['envelope', 'eviction', 'person_erase', 'person_policy', 'person_usage', 'region_seq', 'sync_nonce']));
    for (const t of distributed) {
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = 'region_id'`, [t]);
      expect(n, `${t}.region_id`).toBe(1);
    }
  });

  it('every primary key and unique index of a distributed table includes region_id', async () => {
    const rows: Array<{ table: string; index: string; cols: string[] }> = await ds.query(
      `SELECT c.relname AS table, i.relname AS index, array_agg(a.attname::text) AS cols
         FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (x.indkey)
        WHERE n.nspname = 'public' AND x.indisunique
        GROUP BY c.relname, i.relname`,
    );
    const checked = rows.filter((r) => distributed.includes(r.table));
    expect(checked.length).toBeGreaterThanOrEqual(distributed.length);
    for (const r of checked) expect(r.cols, `${r.table}: ${r.index}`).toContain('region_id');
  });

  it('foreign keys between distributed tables include region_id on both sides; none points from a reference table to a distributed one', async () => {
    const fks: Array<{ name: string; from: string; to: string; from_cols: string[]; to_cols: string[] }> = await ds.query(
      `SELECT con.conname AS name, src.relname AS from, dst.relname AS to,
              (SELECT array_agg(attname::text ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute ON attrelid = con.conrelid AND attnum = k.n) AS from_cols,
              (SELECT array_agg(attname::text ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute ON attrelid = con.confrelid AND attnum = k.n) AS to_cols
         FROM pg_constraint con JOIN pg_class src ON src.oid = con.conrelid JOIN pg_class dst ON dst.oid = con.confrelid
         JOIN pg_namespace n ON n.oid = src.relnamespace
        WHERE con.contype = 'f' AND n.nspname = 'public'`,
    );
    expect(fks.length).toBeGreaterThan(0);
    for (const fk of fks) {
      if (REFERENCE.includes(fk.to)) continue; // distributed → reference: allowed
      expect(REFERENCE.includes(fk.from), `${fk.name}: reference → distributed`).toBe(false);
      // co-located: the distribution column at the same place on both sides
      const i = fk.from_cols.indexOf('region_id');
      expect(i, `${fk.name} ${fk.from}(${fk.from_cols}) → ${fk.to}(${fk.to_cols})`).toBeGreaterThanOrEqual(0);
      expect(fk.to_cols[i], fk.name).toBe('region_id');
    }
  });
});

describe('hot-path statements stay within one region', () => {
  // Every statement the hub's processes send while syncing, reading and enforcing quotas
  // (captured at the driver), checked as Citus would route it: a statement on a distributed
  // table filters by region_id, and a join between distributed tables joins on region_id.
  const seen = new Set<string>();
  let region: RegionContext;
  const originalQuery = Client.prototype.query;

  beforeAll(async () => {
    region = await hub.createRegion('citus');
    (Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (this: Client, ...args: unknown[]) {
      const q = args[0];
      const text = typeof q === 'string' ? q : (q as { text?: string })?.text;
      if (text) seen.add(text.replace(/\s+/g, ' ').trim());
      return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
    };
    const alice = generateKeyPair();
    const envs: Envelope[] = Array.from({ length: 6 }, (_, i) => letter(alice, region.keys, { content: noise(1500), when: at(i) }));
    const post = (path: string, body: unknown) =>
      fetch(`${hub.url}/sync/${region.publicKey}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeader(alice, region.keys) }, body: JSON.stringify(body) });
    expect((await post('push', { envelopes: envs })).status).toBe(200);
    expect((await fetch(`${hub.url}/sync/${region.publicKey}/pull`, { headers: authHeader(alice, region.keys) })).status).toBe(200);
    expect((await post('fetch', { ids: envs.map((e) => e.id) })).status).toBe(200);
    expect((await fetch(`${hub.url}/r/${region.publicKey}/envelope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(publicPost(alice, region.keys)) })).status).toBe(200);
    const page = await gql(hub.url, `query($r: String!) { envelopes(region: $r, first: 5) { edges { node { id sender { publicKey name } } } } }`, { r: region.publicKey }, memberAuth(alice, region.keys));
    expect(page.errors).toBeUndefined();
    await hub.app.get(QuotaService).setRegionPolicy(region, { defaultBytes: 3_000 });
    await hub.app.get(QuotaService).setPersonTier(region, alice.public, 'trusted', 4_000);
    await quotaIdle(hub);
  });
  afterAll(() => {
    Client.prototype.query = originalQuery;
  });

  it('filter by region_id, and join distributed tables on region_id', () => {
    const names = distributed.join('|');
    const onDistributed = [...seen].filter((s) => new RegExp(`\\b(${names})\\b`, 'i').test(s) && !/information_schema|pg_catalog|\bmigrations\b/i.test(s) && !/^(BEGIN|COMMIT|ROLLBACK|SET|SHOW)/i.test(s));
    // the workload reached the hot paths: ingest, reads, quota evaluation and eviction
    for (const t of ['envelope', 'person_usage', 'eviction', 'region_seq']) expect(onDistributed.some((s) => new RegExp(`\\b${t}\\b`).test(s)), t).toBe(true);
    const problems: string[] = [];
    for (const s of onDistributed) {
      if (!/\bregion_id\b/.test(s)) problems.push(`no region_id: ${s.slice(0, 200)}`);
      // each JOIN of a distributed table: its ON / USING names region_id
      for (const m of s.matchAll(new RegExp(`\\bJOIN\\s+(?:LATERAL\\s+)?(${names})\\b([^]*?)(?=\\bJOIN\\b|\\bWHERE\\b|\\bGROUP\\b|\\bORDER\\b|\\bLIMIT\\b|$)`, 'gi'))) {
        if (!/\bregion_id\b/.test(m[2])) problems.push(`join of ${m[1]} not on region_id: ${s.slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(onDistributed.length).toBeGreaterThan(10);
  });
});
