import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { type DynamicModule, type INestApplicationContext, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createDataSource } from '@kiki/storage';
import { JsonLogger } from './common/logger';
import { ConfigModule } from './config/config.module';
import { type HubConfig, isSet, loadConfig } from './config/hub-config';
import { loadConfigOrExit } from './config/load-or-exit';
import { closeOnSignals } from './lifecycle/shutdown';
import { QuotaModule } from './quota/quota.module';
import { QuotaQueue } from './quota/quota.queue';
import { QuotaWorker } from './quota/quota.worker';
import { isNothingThere, postgresUnreachable, probePostgres, probeRedis, redisUnreachable, ServiceUnreachableError } from './services/service-check';

/** The standalone worker: configuration and the quota module with its workers (it imports Postgres and Redis); no HTTP. */
@Module({})
export class WorkerModule {
  static forRoot(config: HubConfig): DynamicModule {
    return { module: WorkerModule, imports: [ConfigModule.forRoot(config), QuotaModule.forWorker()] };
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
  await checkServices(config);
  const ds = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'kiki-worker-check' });
  await ds.initialize();
  try {
    if (await ds.showMigrations()) throw new Error('the database has pending migrations: run `npm run migrate` (or start the hub) first');
  } finally {
    await ds.destroy();
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
  new Logger('Worker').log({ msg: 'kiki hub worker running', concurrency: config.QUOTA_WORKER_CONCURRENCY, sweepEverySeconds: config.QUOTA_SWEEP_EVERY_SECONDS });
  return app;
}

/**
 * GET /health on WORKER_HEALTH_PORT (for compose and orchestrators; the worker serves nothing
 * else): 200 while the quota workers run and their queue answers, 503 otherwise.
 */
export function serveWorkerHealth(app: INestApplicationContext, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/health') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const healthy = app.get(QuotaWorker).running && app.get(QuotaQueue).connected;
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: healthy ? 'ok' : 'unavailable' }));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(server));
  });
}

/**
 * The worker starts no embedded service (the hub owns those): its Postgres must answer; an unset
 * REDIS_URL with no Redis answering means, in development, the queue on Postgres like the hub's.
 */
async function checkServices(config: HubConfig): Promise<void> {
  await probePostgres(config.DATABASE_URL).catch((err) => {
    throw postgresUnreachable(config.DATABASE_URL, err);
  });
  if (config.REDIS_URL === 'none') return;
  try {
    await probeRedis(config.REDIS_URL);
  } catch (err) {
    if (isSet(config, 'REDIS_URL') || config.NODE_ENV === 'production' || !config.EMBEDDED_SERVICES || !isNothingThere(err)) throw redisUnreachable(config.REDIS_URL, err);
    config.REDIS_URL = 'none';
    new Logger('Worker').warn({ msg: 'development mode, not for production: no Redis, the quota queue runs on Postgres' });
  }
}

if (require.main === module) {
  const config = loadConfigOrExit();
  startWorker(config)
    .then(async (app) => {
      const health = config.WORKER_HEALTH_PORT ? await serveWorkerHealth(app, config.WORKER_HEALTH_PORT, config.HOST) : null;
      closeOnSignals(app, {
        log: new Logger('Worker'),
        timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
        drainMs: 0,
        after: async () => void (health && (await new Promise((ok) => health.close(ok)))),
      });
    })
    .catch((err) => {
      if (err instanceof ServiceUnreachableError) {
        process.stderr.write(JSON.stringify({ level: 'fatal', msg: err.message, service: err.service }) + '\n');
        process.exit(69);
      }
      process.stderr.write(JSON.stringify({ level: 'fatal', msg: 'worker failed to start', err: String(err?.stack ?? err) }) + '\n');
      process.exit(1);
    });
}
