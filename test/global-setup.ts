import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../apps/hub/src/services/embedded-postgres';
import { isNothingThere, probePostgres, probeRedis, redactUrl } from '../apps/hub/src/services/service-check';
import { runMigrations } from '../libs/storage/src/migrate';
import { freePort, hasBinary, RedisServerProcess, redisServerBinary } from './support/services';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    adminDatabaseUrl: string;
    /** the Redis every test file shares (with its own key prefix), or "none" when there is none */
    testRedisUrl: string;
  }
}

/**
 * The services of a test run. Postgres: TEST_DATABASE_URL, else 127.0.0.1:5432, else (nothing
 * answers there) an embedded Postgres in a temporary folder. Redis: TEST_REDIS_URL, else
 * 127.0.0.1:6379, else a redis-server of our own, else none (hubs then run with REDIS_URL=none
 * and the files that need a Redis skip, or fail under CI=true).
 */
async function services(): Promise<{ adminUrl: string; redisUrl: string; stop: () => Promise<void> }> {
  const stops: Array<() => Promise<void>> = [];
  let adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  try {
    await probePostgres(adminUrl);
  } catch (err) {
    if (process.env.TEST_DATABASE_URL || !isNothingThere(err)) throw new Error(`tests: Postgres at ${redactUrl(adminUrl)} does not answer (${String(err)})`, { cause: err });
    const dir = mkdtempSync(join(tmpdir(), 'kiki-test-pg-'));
    const pg: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), database: 'postgres' });
    adminUrl = pg.url;
    stops.push(async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    process.stderr.write(`[kiki test] no Postgres on 127.0.0.1:5432: using an embedded one (${redactUrl(adminUrl)})\n`);
  }
  let redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  try {
    await probeRedis(redisUrl);
  } catch (err) {
    if (process.env.TEST_REDIS_URL || !isNothingThere(err)) throw new Error(`tests: Redis at ${redactUrl(redisUrl)} does not answer (${String(err)})`, { cause: err });
    if (hasBinary(redisServerBinary)) {
      const own = new RedisServerProcess(await freePort());
      await own.start();
      redisUrl = own.url;
      stops.push(() => own.stop());
      process.stderr.write(`[kiki test] no Redis on 127.0.0.1:6379: started ${redisServerBinary} at ${redisUrl}\n`);
    } else {
      redisUrl = 'none';
      process.stderr.write(`[kiki test] no Redis and no ${redisServerBinary} binary: hubs run with REDIS_URL=none; tests that need Redis are skipped\n`);
    }
  }
  return { adminUrl, redisUrl, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}

/** Migrates one template database per test run; every test file clones it (see test/support/db.ts). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { adminUrl, redisUrl, stop } = await services();
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const template = `kiki_tmpl_${runId}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const templateUrl = withDatabase(adminUrl, template);
  await runMigrations(templateUrl);
  project.provide('templateDatabase', template);
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('testRedisUrl', redisUrl);
  await admin.end();

  return async () => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    // Clones are dropped by their own files; this catches any left by a crashed file.
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [template, `kiki_t_${runId}_%`],
    );
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await c.end();
    await stop();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
