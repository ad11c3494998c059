import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { type HubConfig } from './config/hub-config';
import { GraphqlModule } from './graphql/graphql.module';
import { HealthModule } from './health/health.module';
import { KikiModule } from './kiki/kiki.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { QuotaModule } from './quota/quota.module';
import { SyncModule } from './sync/sync.module';

/**
 * The hub process: its routes' modules; each imports what it uses (README, "Architecture").
 *
 *   SyncModule     /sync/:region/*        → IngestModule → after-commit: ReconcileModule, QuotaModule, EnvelopeEventsModule
 *   KikiModule     /r/:region/*           → IngestModule
 *   GraphqlModule  /graphql (+ WebSocket) → IngestModule, QuotaModule (admin), AdminModule
 *   HealthModule   /health/*, /metrics
 *   QuotaModule.forHub()                  the quota workers, in-process when RUN_WORKERS
 *
 * ConfigModule is the only global one (HubConfig, read by nearly every provider).
 */
@Module({})
export class AppModule {
  static forRoot(config?: HubConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), LifecycleModule, HealthModule, SyncModule, KikiModule, GraphqlModule, QuotaModule.forHub()],
    };
  }
}
