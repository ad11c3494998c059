import 'reflect-metadata';
import { type DynamicModule, type INestApplicationContext, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createDataSource } from '@kiki/storage';
import { JsonLogger } from './common/logger';
import { ConfigModule } from './config/config.module';
import { ConfigError, type HubConfig, loadConfig } from './config/hub-config';
import { QuotaModule } from './quota/quota.module';
import { StorageModule } from './storage.module';

/** The standalone worker: configuration, Postgres and the quota module; no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: HubConfig): DynamicModule {
    return { module: WorkerModule, imports: [ConfigModule.forRoot(config), StorageModule, QuotaModule.forWorker()] };
  }
}

/**
 * Runs the quota workers and sweep as their own Nest application context, from the same code
 * as the hub (`npm run worker`). Set RUN_WORKERS=false on the hubs when you run this.
 * It never migrates: the hub (or `npm run migrate`) owns the schema.
 */
export async function startWorker(config: HubConfig = loadConfig(), opts: { logger?: JsonLogger | false } = {}): Promise<INestApplicationContext> {
  const logger = opts.logger === false ? false : (opts.logger ?? new JsonLogger(config.LOG_LEVEL, { service: 'kiki-hub-worker' }));
  if (logger) Logger.overrideLogger(logger);
  const ds = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'kiki-worker-check' });
  await ds.initialize();
  try {
    if (await ds.showMigrations()) throw new Error('the database has pending migrations: run `npm run migrate` (or start the hub) first');
  } finally {
    await ds.destroy();
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
  app.enableShutdownHooks();
  new Logger('Worker').log({ msg: 'kiki hub worker running', concurrency: config.QUOTA_WORKER_CONCURRENCY, sweepEverySeconds: config.QUOTA_SWEEP_EVERY_SECONDS });
  return app;
}

if (require.main === module) {
  let config: HubConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'invalid configuration', problems: err.problems }) + '\n');
      process.exit(78);
    }
    throw err;
  }
  startWorker(config).catch((err) => {
    process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'worker failed to start', err: String(err?.stack ?? err) }) + '\n');
    process.exit(1);
  });
}
