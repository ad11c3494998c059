import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { exportRegion, importRegion, RegionTransferError } from '@kiki/storage';
import { fingerprintOfIds } from '@kiki/sync';
import { DataSource } from 'typeorm';
import { IngestService } from '../../apps/hub/src/ingest/ingest.service';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import type { RegionContext } from '../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../support/hub';
import { at, letter, noise, quotaIdle, waitFor } from '../quota/support/quota';

// Moving a region between two hubs (two databases): `region export` on one, `region
// import-file` on the other, and the region is the same there: reconciliation fingerprint,
// tombstones, tiers, overrides, erases, usage and eviction records.

const root = resolve(__dirname, '../..');
let a: TestHub;
let b: TestHub;
let src: RegionContext;
let dir: string;
const [plain, trusted, overridden, eraser] = Array.from({ length: 4 }, () => generateKeyPair());

function cli(hub: TestHub, args: string[], stdoutFile?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', resolve(root, 'test/support/swc-register.js'), resolve(root, 'apps/hub/src/cli.ts'), ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: hub.config.DATABASE_URL, HUB_MASTER_KEY: hub.config.HUB_MASTER_KEY, CREATE_DATABASE: 'false', REDIS_URL: 'none', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((ok) =>
    child.on('exit', (code) => {
      const stdout = Buffer.concat(out).toString();
      if (stdoutFile) writeFileSync(stdoutFile, stdout);
      ok({ code, stdout, stderr });
    }),
  );
}

/** Everything of a region that must travel, in a comparable form (no ids local to a hub). */
async function snapshot(hub: TestHub, publicKey: string) {
  const ds = hub.app.get(DataSource);
  const [{ region_id: id }] = await ds.query('SELECT region_id FROM region WHERE public_key = $1', [publicKey]);
  const q = (sql: string) => ds.query(sql, [id]);
  const ids = (await q('SELECT id FROM envelope WHERE region_id = $1 ORDER BY id')).map((r: { id: Buffer }) => new Uint8Array(r.id));
  return {
    fingerprint: Buffer.from(fingerprintOfIds(ids)).toString('hex'),
    envelopes: await q(`SELECT encode(id, 'hex') AS id, seq, ts_ms, sender, size, encode(sealed_letter, 'base64') AS letter, purpose, public_content, removed_at, removed_reason FROM envelope WHERE region_id = $1 ORDER BY seq`),
    tombstones: (await q('SELECT count(*)::int AS n FROM envelope WHERE region_id = $1 AND removed_at IS NOT NULL'))[0].n,
    settings: await q('SELECT max_envelope_bytes, default_quota_bytes, trusted_quota_bytes, last_seq, removed_seq FROM region JOIN region_seq USING (region_id) WHERE region_id = $1'),
    policies: await q('SELECT person, tier, override_bytes FROM person_policy WHERE region_id = $1 ORDER BY person'),
    erases: await q(`SELECT person, encode(erase_id, 'hex') AS erase_id, erase_ts_ms FROM person_erase WHERE region_id = $1 ORDER BY person`),
    usage: await q('SELECT person, bytes, envelopes FROM person_usage WHERE region_id = $1 ORDER BY person'),
    evictions: await q(`SELECT encode(envelope_id, 'hex') AS envelope_id, person, reason, size, purpose, limit_bytes, evicted_at FROM eviction WHERE region_id = $1 ORDER BY eviction_id`),
  };
}

async function held(hub: TestHub, publicKey: string): Promise<number> {
  const [{ n }] = await hub.app.get(DataSource).query(
    `SELECT (SELECT count(*) FROM envelope e WHERE e.region_id = r.region_id) + (SELECT count(*) FROM person_policy p WHERE p.region_id = r.region_id)
          + (SELECT count(*) FROM eviction v WHERE v.region_id = r.region_id) + (SELECT count(*) FROM person_usage u WHERE u.region_id = r.region_id)
          + (SELECT last_seq FROM region_seq s WHERE s.region_id = r.region_id) AS n
       FROM region r WHERE public_key = $1`,
    [publicKey],
  );
  return Number(n);
}

async function* linesOf(text: string): AsyncGenerator<string> {
  for (const l of text.split('\n')) yield l;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kiki-move-'));
  a = await startTestHub({ REDIS_URL: 'none', QUOTA_SWEEP_EVERY_SECONDS: '0' });
  b = await startTestHub({ REDIS_URL: 'none', QUOTA_SWEEP_EVERY_SECONDS: '0' });
  src = await a.createRegion('moving');
  const quota = a.app.get(QuotaService);
  await quota.setRegionPolicy(src, { defaultBytes: 9_000, trustedBytes: 20_000 });
  await quota.setPersonTier(src, trusted.public, 'trusted');
  await quota.setPersonTier(src, overridden.public, 'default', 5_000);
  let clock = 0;
  const envs: Envelope[] = [];
  for (const p of [plain, trusted, overridden, eraser]) for (let i = 0; i < 8; i++) envs.push(letter(p, src.keys, { content: noise(1500), when: at(++clock) }));
  envs.push(letter(eraser, src.keys, { purpose: 'action-erase', content: '', when: at(++clock) }));
  const results = await a.app.get(IngestService).ingest(src, envs, 'test');
  expect(results.every((r) => r.status === 'stored')).toBe(true);
  await quotaIdle(a);
  // quota evictions and the erase have left tombstones and records
  await waitFor(async () => (await snapshot(a, src.publicKey)).tombstones, (n) => n >= 8, 'evictions');
}, 120_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('region export | region import-file', () => {
  it('moves a region with quotas and tombstones to another hub, exactly (same fingerprint, same records)', async () => {
    const before = await snapshot(a, src.publicKey);
    expect(before.policies.length).toBe(2);
    expect(before.erases.length).toBe(1);
    expect(before.evictions.length).toBeGreaterThanOrEqual(8);

    const file = join(dir, 'region.jsonl');
    const exp = await cli(a, ['region', 'export', src.publicKey], file);
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stderr).toMatch(/exported region/);
    // the keys stay behind: the new hub imports the region with them first
    expect(readFileSync(file, 'utf8')).not.toContain(src.keys.private);
    await b.createRegion('moved', src.keys);
    const imp = await cli(b, ['region', 'import-file', src.publicKey, file]);
    expect(imp.code, imp.stderr).toBe(0);

    const after = await snapshot(b, src.publicKey);
    expect(after).toEqual(before);
    // and the quota service of the new hub sees the same people the same way
    const qa = a.app.get(QuotaService);
    const qb = b.app.get(QuotaService);
    const ctxB = { regionId: (await b.app.get(DataSource).query('SELECT region_id FROM region WHERE public_key = $1', [src.publicKey]))[0].region_id };
    for (const p of [plain, trusted, overridden, eraser]) {
      const { usage: ua, limit: la, tier: ta } = await qa.personQuota(src, p.public);
      const { usage: ub, limit: lb, tier: tb } = await qb.personQuota(ctxB, p.public);
      expect([ub, lb, tb]).toEqual([ua, la, ta]);
    }
  }, 120_000);

  describe('refusals change nothing', () => {
    let text: string;
    let target: KeyPair;
    beforeAll(async () => {
      const lines: string[] = [];
      for await (const l of exportRegion(a.app.get(DataSource), src.publicKey)) lines.push(l);
      text = lines.join('\n') + '\n';
      target = src.keys;
    });
    const importInto = async (hub: TestHub, key: string, t: string) => importRegion(hub.app.get(DataSource), key, linesOf(t));
    const refusal = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        expect(err).toBeInstanceOf(RegionTransferError);
        return (err as Error).message;
      }
      throw new Error('expected a refusal');
    };

    it('a file of another region, into a region that is not here, into a region that holds data', async () => {
      const other = await b.createRegion('other');
      expect(await refusal(importInto(b, other.publicKey, text))).toMatch(/holds region .* not /);
      expect(await held(b, other.publicKey)).toBe(0);
      expect(await refusal(importInto(b, generateKeyPair().public, text.replace(new RegExp(src.publicKey, 'g'), 'x')))).toMatch(/holds region/);
      const stranger = generateKeyPair();
      const strangerText = text.replace(`"region":"${src.publicKey}"`, `"region":"${stranger.public}"`);
      expect(await refusal(importInto(b, stranger.public, strangerText))).toMatch(/no region .* import it with its keys first/);
      // b holds the moved region since the first test
      expect(await refusal(importInto(b, src.publicKey, text))).toMatch(/already holds data/);
    });

    it('a truncated, edited, reordered or garbled file', async () => {
      const fresh = await startTestHub({ REDIS_URL: 'none', RUN_WORKERS: 'false' });
      try {
        await fresh.createRegion('fresh', target);
        const lines = text.trimEnd().split('\n');
        const cases: Array<[string, string, RegExp]> = [
          ['truncated', lines.slice(0, Math.floor(lines.length / 2)).join('\n'), /truncated/],
          ['one byte of a letter changed', text.replace(/"sealed_letter": "\\\\x(..)/, (m, h) => m.slice(0, -2) + (h === '00' ? '01' : '00')), /checksum/],
          ['a line dropped', [...lines.slice(0, 3), ...lines.slice(4)].join('\n'), /checksum|promises/],
          ['not JSON lines', text.replace(/\{"t":"person_usage"/, '{"t":"person_usage"garbage'), /damaged/],
          ['not an export', 'hello\n', /not a region export header/],
          ['empty', '', /empty|not a region export/],
          ['a row Postgres refuses', text.replace(/"size": \d+/, '"size": "big"'), /refused by Postgres/],
        ];
        for (const [what, t, message] of cases) {
          expect(await refusal(importInto(fresh, target.public, t)), what).toMatch(message);
          expect(await held(fresh, target.public), what).toBe(0);
        }
        // and the intact file still imports afterwards
        const counts = await importInto(fresh, target.public, text);
        expect(counts.envelope).toBe((await snapshot(a, src.publicKey)).envelopes.length);
      } finally {
        await fresh.close();
      }
    }, 60_000);
  });
});
