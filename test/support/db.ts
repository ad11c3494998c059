import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A private database for one test file, cloned from the migrated template (fast: a file copy). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('templateDatabase');
  const adminUrl = inject('adminDatabaseUrl');
  const runId = template.replace(/^kiki_tmpl_/, '');
  const name = `kiki_t_${runId}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A Redis key prefix (and BullMQ prefix) unique to one test file. */
export function testRedisPrefix(label = 't'): string {
  return `kiki-test:${label}:${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** The run's shared Redis (test/global-setup.ts), or "none": no Redis, hubs run without it. */
export const testRedisUrl = inject('testRedisUrl');

/** Whether the run has a Redis; files that talk to Redis themselves check it (see requirement()). */
export const hasTestRedis = testRedisUrl !== 'none';

/**
 * The environment of a test hub on `db`: the run's Redis under a prefix of its own (`label`), a
 * fresh master key, nothing created or imported on start, silent logs; `env` adds or overrides.
 */
export function testHubEnv(db: TestDatabase, label: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl,
    REDIS_PREFIX: testRedisPrefix(label),
    HUB_MASTER_KEY: randomBytes(32).toString('hex'),
    CREATE_DATABASE: 'false',
    IMPORT_DEFAULT_REGION: 'false',
    LOG_LEVEL: 'silent',
    ...env,
  };
}
