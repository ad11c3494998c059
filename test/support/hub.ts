import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Queue } from 'bullmq';
import { generateKeyPair, type KeyPair } from '@kiki/crypto';
import { createHubApp } from '../../apps/hub/src/bootstrap';
import { HubConfig, loadConfig } from '../../apps/hub/src/config/hub-config';
import { QUOTA_QUEUE } from '../../apps/hub/src/quota/quota.jobs';
import { RegionService, type RegionContext } from '../../apps/hub/src/regions/region.service';
import { createTestDatabase, type TestDatabase, testHubEnv, testRedisUrl } from './db';

export interface TestHub {
  app: NestExpressApplication;
  url: string;
  config: HubConfig;
  db: TestDatabase;
  createRegion(name?: string, keys?: KeyPair): Promise<RegionContext>;
  close(): Promise<void>;
}

/** A real hub on a random port, with its own database clone and Redis prefix. */
export async function startTestHub(env: Record<string, string> = {}): Promise<TestHub> {
  const db = await createTestDatabase();
  const config = loadConfig(testHubEnv(db, 'hub', { MIGRATE_ON_START: 'false', DB_POOL_SIZE: '5', ...env }));
  const app = await createHubApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    config,
    db,
    createRegion: (name = `region-${randomBytes(2).toString('hex')}`, keys = generateKeyPair()) =>
      app.get(RegionService).create(name, keys),
    async close() {
      await app.close();
      await db.drop();
      if (config.REDIS_URL === testRedisUrl) await dropQuotaQueue(config.REDIS_URL, config.REDIS_PREFIX);
    },
  };
}

/** Removes every key of a hub's quota queue (jobs, history, the sweep scheduler): BullMQ keys never expire. */
export async function dropQuotaQueue(redisUrl: string, prefix: string): Promise<void> {
  if (redisUrl === 'none') return; // the queue lived in the file's own database
  const queue = new Queue(QUOTA_QUEUE, { connection: { url: redisUrl, maxRetriesPerRequest: null }, prefix });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}
