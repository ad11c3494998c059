import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { generateKeyPair } from '@kiki/crypto';
import { IngestService } from '../../apps/hub/src/ingest/ingest.service';
import { QuotaService } from '../../apps/hub/src/quota/quota.service';
import { startTestHub, type TestHub } from '../support/hub';
import { hasBinary, requirement } from '../support/services';
import { at, letter, noise, quotaIdle } from '../quota/support/quota';

// scripts/backup.sh and scripts/restore.sh (docs/operations.md), restored into a fresh database.
const root = resolve(__dirname, '../..');
const tools = ['pg_dump', 'pg_restore', 'psql'].every(hasBinary);
/** pg_dump refuses a server newer than itself (the embedded Postgres of a bare machine may be). */
async function dumpCanRead(): Promise<boolean> {
  const client = Number(/(\d+)\./.exec(spawnSync('pg_dump', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? 0);
  const c = new Client({ connectionString: inject('adminDatabaseUrl') });
  await c.connect();
  const server = Math.floor(Number((await c.query('SHOW server_version_num')).rows[0].server_version_num) / 10000);
  await c.end();
  return client >= server;
}
const need = requirement('pg_dump, pg_restore and psql (the backup scripts call them)', tools);
let runnable = false;
const TABLES = ['region', 'region_seq', 'envelope', 'person_usage', 'person_policy', 'eviction', 'person_erase', 'sync_nonce', 'migrations'];
let hub: TestHub;
let dir: string;
let restored = '';

async function counts(url: string): Promise<Record<string, number>> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of TABLES) out[t] = (await c.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n;
    out.tombstones = (await c.query('SELECT count(*)::int AS n FROM envelope WHERE removed_at IS NOT NULL')).rows[0].n;
    return out;
  } finally {
    await c.end();
  }
}

const sh = (script: string, args: string[]) => spawnSync('bash', [resolve(root, script), ...args], { encoding: 'utf8' });

beforeAll(async () => {
  if (!need.ok) return;
  runnable = requirement('a pg_dump at least as new as the Postgres server', await dumpCanRead()).ok;
  if (!runnable) return;
  dir = mkdtempSync(join(tmpdir(), 'kiki-backup-'));
  hub = await startTestHub({ REDIS_URL: 'none', QUOTA_SWEEP_EVERY_SECONDS: '0' });
  const ctx = await hub.createRegion('backed up');
  await hub.app.get(QuotaService).setRegionPolicy(ctx, { defaultBytes: 4_000 });
  const p = generateKeyPair();
  const envs = Array.from({ length: 6 }, (_, i) => letter(p, ctx.keys, { content: noise(1500), when: at(i) }));
  await hub.app.get(IngestService).ingest(ctx, envs, 'test');
  await quotaIdle(hub);
}, 60_000);
afterAll(async () => {
  await hub?.close();
  if (restored) {
    const c = new Client({ connectionString: inject('adminDatabaseUrl') });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${restored} WITH (FORCE)`);
    await c.end();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!need.ok)('backup and restore with pg_dump', () => {
  it('restores into a fresh database with the same rows, and refuses a database that is not empty', async (t) => {
    if (!runnable) t.skip();
    const file = join(dir, 'hub.dump');
    const backup = sh('scripts/backup.sh', [hub.db.url, file]);
    expect(backup.status, backup.stderr).toBe(0);

    const runId = inject('templateDatabase').replace(/^kiki_tmpl_/, '');
    restored = `kiki_t_${runId}_restore${randomBytes(3).toString('hex')}`;
    const admin = new Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${restored}`);
    await admin.end();
    const u = new URL(inject('adminDatabaseUrl'));
    u.pathname = `/${restored}`;

    const restore = sh('scripts/restore.sh', [file, u.toString()]);
    expect(restore.status, restore.stderr).toBe(0);
    const want = await counts(hub.db.url);
    expect(want.envelope).toBe(6);
    expect(want.tombstones).toBeGreaterThan(0);
    expect(await counts(u.toString())).toEqual(want);

    const again = sh('scripts/restore.sh', [file, u.toString()]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/refusing: the target database already has/);
    expect(await counts(u.toString())).toEqual(want);
  }, 60_000);
});
