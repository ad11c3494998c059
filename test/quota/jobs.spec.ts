import { randomBytes } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../apps/hub/src/app.module';
import { ConfigModule } from '../../apps/hub/src/config/config.module';
import { type HubConfig, loadConfig } from '../../apps/hub/src/config/hub-config';
import { type FoundHandler, handlerTable, OnQuotaJob, type PersonJob, QUOTA_JOB_NAMES, QuotaJobsError } from '../../apps/hub/src/quota/quota.jobs';
import { QuotaModule } from '../../apps/hub/src/quota/quota.module';
import { QuotaWorker } from '../../apps/hub/src/quota/quota.worker';
import { startWorker } from '../../apps/hub/src/worker';
import { createTestDatabase, type TestDatabase, testRedisPrefix, testRedisUrl } from '../support/db';
import { dropQuotaQueue } from '../support/hub';

const handler = (name: string, where = `X.${name}`): FoundHandler => ({ name, where, run: async () => undefined });

describe('one handler per quota job, checked at boot', () => {
  it('accepts exactly one handler per name', () => {
    const table = handlerTable(QUOTA_JOB_NAMES.map((n) => handler(n)));
    expect([...table.keys()].sort()).toEqual([...QUOTA_JOB_NAMES].sort());
  });

  it('names the job without a handler, the doubled one with both places, and unknown names', () => {
    const found = [
      ...QUOTA_JOB_NAMES.filter((n) => n !== 'quota.erase').map((n) => handler(n)),
      handler('quota.evaluate', 'Other.evaluate'),
      handler('quota.compact', 'Stray.compact'),
    ];
    let err: QuotaJobsError | undefined;
    try {
      handlerTable(found);
    } catch (e) {
      err = e as QuotaJobsError;
    }
    expect(err).toBeInstanceOf(QuotaJobsError);
    expect(err!.problems).toEqual([
      '"quota.evaluate" has two handlers: X.quota.evaluate and Other.evaluate',
      'Stray.compact handles "quota.compact", which is not a quota job',
      '"quota.erase" has no handler',
    ]);
  });
});

describe('application contexts', () => {
  let db: TestDatabase;
  let config: HubConfig;

  beforeAll(async () => {
    db = await createTestDatabase();
    config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: testRedisPrefix('jobs'),
      HUB_MASTER_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '2',
    });
  });
  afterAll(async () => {
    await db?.drop();
    if (config) await dropQuotaQueue(config.REDIS_URL, config.REDIS_PREFIX);
  });

  it('refuse to boot when a second provider handles a job', async () => {
    @Injectable()
    class Rogue {
      @OnQuotaJob('quota.evaluate')
      async evaluate(_job: PersonJob): Promise<void> {}
    }
    @Module({ imports: [ConfigModule.forRoot(config), QuotaModule.forWorker()], providers: [Rogue] })
    class Broken {}
    await expect(NestFactory.createApplicationContext(Broken, { logger: false, abortOnError: false })).rejects.toThrow(
      /"quota.evaluate" has two handlers: (QuotaEvaluateHandler.evaluate and Rogue.evaluate|Rogue.evaluate and QuotaEvaluateHandler.evaluate)/,
    );
  });

  it('the standalone worker (npm run worker) is its own context and runs the workers', async () => {
    const app = await startWorker(config, { logger: false });
    try {
      expect(app.get(QuotaWorker).running).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('contexts that only build the hub (CLI, OpenAPI) never run workers', async () => {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: false });
    try {
      expect(config.RUN_WORKERS).toBe(true);
      expect(app.get(QuotaWorker).running).toBe(false);
    } finally {
      await app.close();
    }
  });
});
