import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QuotaRepository, UsageSampleRepository } from '@kiki/storage';
import { DataSource } from 'typeorm';
import { RedisModule } from '../redis/redis.module';
import { EvictionService } from './eviction.service';
import { QuotaMetrics } from './quota.metrics';
import { QuotaQueue } from './quota.queue';
import { QuotaService } from './quota.service';
import { QUOTA_WORKER_PROCESS, QuotaWorker } from './quota.worker';
import { RegionCommits } from './region-commits';
import { SweepService } from './sweep.service';
import { UsageSampleService } from './usage-sample.service';

/**
 * Per-person storage quotas (docs/quotas.md). Imported as is by the hub (ingest enqueues, and
 * the workers run in-process when RUN_WORKERS), and through forWorker() by `npm run worker`.
 * Needs the global ConfigModule and StorageModule.
 */
@Module({
  // RedisModule: the queue and workers get their connections (or the Postgres backend) from it
  imports: [DiscoveryModule, RedisModule],
  providers: [
    { provide: QuotaRepository, inject: [DataSource], useFactory: (ds: DataSource) => new QuotaRepository(ds) },
    QuotaMetrics,
    QuotaQueue,
    RegionCommits,
    EvictionService,
    SweepService,
    QuotaWorker,
    QuotaService,
    { provide: UsageSampleRepository, inject: [DataSource], useFactory: (ds: DataSource) => new UsageSampleRepository(ds) },
    UsageSampleService,
  ],
  exports: [QuotaService, UsageSampleRepository],
})
export class QuotaModule {
  /** The standalone worker process: runs the workers whatever RUN_WORKERS says. */
  static forWorker(): DynamicModule {
    return {
      module: QuotaModule,
      providers: [{ provide: QUOTA_WORKER_PROCESS, useValue: true }],
    };
  }
}
