import { dirname, join } from 'node:path';
import type { Logger } from '@nestjs/common';
import { type HubConfig, isSet } from '../config/hub-config';
import { devMasterKeyFile } from '../regions/master-key';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { isNothingThere, postgresUnreachable, probePostgres, probeRedis, redactUrl, redisUnreachable } from './service-check';

export type PostgresMode = 'configured' | 'embedded';
export type RedisMode = 'configured' | 'none';

export interface ResolvedServices {
  postgres: PostgresMode;
  redis: RedisMode;
  embedded: EmbeddedPostgres | null;
  /** stops what was started here (the embedded Postgres); the caller closes the app first */
  stop(): Promise<void>;
}

/** What resolveServices started in this process, so a failed start can stop it (main.ts). */
const started = new Set<EmbeddedPostgres>();

export async function stopStartedServices(): Promise<void> {
  await Promise.all([...started].map((e) => e.stop().catch(() => undefined)));
  started.clear();
}

/** The embedded Postgres keeps its cluster beside the development master key (~/.kiki-hub/postgres). */
export function embeddedDataDir(config: HubConfig): string {
  return join(dirname(devMasterKeyFile(config)), 'postgres');
}

/**
 * Decides, before anything connects, which Postgres and Redis the process uses, and updates
 * `config` to match:
 * - a variable that is set names a service that must answer: if it does not, one
 *   ServiceUnreachableError (the caller prints its line and exits non-zero);
 * - an unset DATABASE_URL / REDIS_URL whose default address does not answer means, outside
 *   production and with EMBEDDED_SERVICES on, an embedded Postgres / no Redis (REDIS_URL=none).
 */
export async function resolveServices(config: HubConfig, log: Logger): Promise<ResolvedServices> {
  const development = config.NODE_ENV !== 'production' && config.EMBEDDED_SERVICES;
  let embedded: EmbeddedPostgres | null = null;
  let postgres: PostgresMode = 'configured';
  try {
    await probePostgres(config.DATABASE_URL);
  } catch (err) {
    if (isSet(config, 'DATABASE_URL') || !development || !isNothingThere(err)) throw postgresUnreachable(config.DATABASE_URL, err);
    const dataDir = embeddedDataDir(config);
    embedded = await startEmbeddedPostgres({ dataDir, onLog: (line) => log.debug({ msg: 'embedded postgres', line }) });
    started.add(embedded);
    config.DATABASE_URL = embedded.url;
    postgres = 'embedded';
  }

  let redis: RedisMode = config.REDIS_URL === 'none' ? 'none' : 'configured';
  if (redis === 'configured') {
    try {
      await probeRedis(config.REDIS_URL);
    } catch (err) {
      if (isSet(config, 'REDIS_URL') || !development || !isNothingThere(err)) throw redisUnreachable(config.REDIS_URL, err);
      config.REDIS_URL = 'none';
      redis = 'none';
    }
  }

  if (postgres === 'embedded' || redis === 'none') {
    log.warn({
      msg: 'development mode, not for production: ' +
        [
          postgres === 'embedded' ? `embedded Postgres (data in ${embedded!.dataDir}${embedded!.created ? ', created now' : ''})` : `Postgres at ${redactUrl(config.DATABASE_URL)}`,
          redis === 'none' ? 'no Redis (quota queue in Postgres, replay cache in Postgres, subscriptions within this process)' : `Redis at ${redactUrl(config.REDIS_URL)}`,
        ].join(', '),
      postgres,
      redis,
    });
  }
  return { postgres, redis, embedded, stop: stopStartedServices };
}
