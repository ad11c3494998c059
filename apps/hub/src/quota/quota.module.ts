import { type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import { QuotaRepository, UsageSampleRepository } from '@kiki/storage';
import type { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { HubConfig } from '../config/hub-config';
import { HealthModule } from '../health/health.module';
import { HubMetrics } from '../health/metrics';
import { RedisModule } from '../redis/redis.module';
import { StorageModule } from '../storage.module';
import { EvictionService } from './eviction.service';
import { QuotaEraseHandler } from './quota-erase.handler';
import { QuotaEvaluateHandler } from './quota-evaluate.handler';
import { QUOTA_METRICS_REGISTRY, QuotaMetrics } from './quota.metrics';
import { QuotaQueue } from './quota.queue';
import { QuotaService } from './quota.service';
import { QuotaWorker } from './quota.worker';
import { RegionCommits } from './region-commits';
import { SweepService } from './sweep.service';
import { UsageSampleService } from './usage-sample.service';

/** In a hub: the workers start once the HTTP server listens, and only when RUN_WORKERS. */
@Injectable()
export class StartWorkersWithHttp implements OnApplicationBootstrap, OnApplicationShutdown {
  private listening?: Subscription;

  constructor(
    @Inject(HubConfig) private readonly config: HubConfig,
    private readonly host: HttpAdapterHost,
    private readonly worker: QuotaWorker,
  ) {}

  onApplicationBootstrap(): void {
    // a context that only builds the app (CLI, OpenAPI, schema) never listens, so never starts them
    if (!this.config.RUN_WORKERS) return;
    if (this.host.listening) this.worker.start();
    else this.listening = this.host.listen$.subscribe(() => this.worker.start());
  }

  onApplicationShutdown(): void {
    this.listening?.unsubscribe();
  }
}

/** In `npm run worker`: the workers start at boot, whatever RUN_WORKERS says (that setting is the hubs'). */
@Injectable()
export class StartWorkersAtBoot implements OnApplicationBootstrap {
  constructor(private readonly worker: QuotaWorker) {}

  onApplicationBootstrap(): void {
    this.worker.start();
  }
}

const PROVIDERS: Provider[] = [
  { provide: QuotaRepository, inject: [DataSource], useFactory: (ds: DataSource) => new QuotaRepository(ds) },
  { provide: UsageSampleRepository, inject: [DataSource], useFactory: (ds: DataSource) => new UsageSampleRepository(ds) },
  QuotaMetrics,
  // the producer: ingest's after-commit pipeline, admins and the workers enqueue here
  QuotaQueue,
  RegionCommits,
  EvictionService,
  // the jobs, one handler each (QuotaWorker refuses to boot otherwise)
  QuotaEvaluateHandler,
  QuotaEraseHandler,
  SweepService,
  UsageSampleService,
  QuotaWorker,
  // admin reads and changes (GraphQL, dashboard, CLI)
  QuotaService,
];
const EXPORTS = [QuotaService, QuotaQueue, QuotaWorker, EvictionService, UsageSampleRepository];

/**
 * Per-person storage quotas (docs/quotas.md): the queue, the job handlers, the workers that run
 * them and the admin service. Two explicit variants, each built once (Nest keys a dynamic module
 * by its object, so every importer of forHub() shares one instance):
 * - forHub(): the hub's (AppModule, and the modules that use quota: ingest, GraphQL); counters
 *   on the hub's /metrics; workers in-process only when RUN_WORKERS and the HTTP server listens.
 * - forWorker(): `npm run worker` (worker.ts); no HTTP, no /metrics; the workers always run.
 */
@Module({})
export class QuotaModule {
  private static hub?: DynamicModule;
  private static worker?: DynamicModule;

  static forHub(): DynamicModule {
    return (QuotaModule.hub ??= {
      module: QuotaModule,
      imports: [DiscoveryModule, StorageModule, RedisModule, HealthModule],
      providers: [...PROVIDERS, { provide: QUOTA_METRICS_REGISTRY, inject: [HubMetrics], useFactory: (m: HubMetrics) => m.registry }, StartWorkersWithHttp],
      exports: EXPORTS,
    });
  }

  static forWorker(): DynamicModule {
    return (QuotaModule.worker ??= {
      module: QuotaModule,
      imports: [DiscoveryModule, StorageModule, RedisModule],
      providers: [...PROVIDERS, { provide: QUOTA_METRICS_REGISTRY, useValue: null }, StartWorkersAtBoot],
      exports: EXPORTS,
    });
  }
}
