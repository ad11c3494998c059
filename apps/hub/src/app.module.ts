import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { BodyBudget, BodyReader, ReadBodyInterceptor } from './common/body';
import { KikiWriteLimitGuard, RateLimits } from './common/rate-limits';
import { AdminRepository } from '@kiki/storage';
import { DataSource } from 'typeorm';
import { AdminAccountService } from './admin/admin-account.service';
import { AuditService } from './admin/audit.service';
import { ConfigModule } from './config/config.module';
import { GraphqlModule } from './graphql/graphql.module';
import { HubConfig } from './config/hub-config';
import { HealthController } from './health/health.controller';
import { HubMetrics } from './health/metrics';
import { MetricsServer } from './health/metrics.server';
import { IngestService } from './ingest/ingest.service';
import { KikiController } from './kiki/kiki.controller';
import { KikiService } from './kiki/kiki.service';
import { KikiMemberGuard } from './kiki/kiki-member.guard';
import { ListCache } from './kiki/list-cache';
import { Lifecycle } from './lifecycle/lifecycle';
import { QuotaModule } from './quota/quota.module';
import { RedisModule } from './redis/redis.module';
import { KeyVault } from './regions/key-vault';
import { loadKeyVault } from './regions/master-key';
import { RegionService } from './regions/region.service';
import { StorageModule } from './storage.module';
import { ReconcileService } from './sync/reconcile.service';
import { SyncAuthGuard } from './sync/sync-auth.guard';
import { SyncAuthService } from './sync/sync-auth.service';
import { SyncController } from './sync/sync.controller';
import { SyncService } from './sync/sync.service';

@Module({})
export class AppModule {
  static forRoot(config?: HubConfig): DynamicModule {
    return {
      module: AppModule,
      // global: feature modules (GraphQL) inject the core services exported below
      global: true,
      imports: [ConfigModule.forRoot(config), StorageModule, RedisModule, TerminusModule, GraphqlModule, QuotaModule],
      controllers: [SyncController, KikiController, HealthController],
      providers: [
        HubMetrics,
        MetricsServer,
        BodyBudget,
        BodyReader,
        ReadBodyInterceptor,
        RateLimits,
        KikiWriteLimitGuard,
        Lifecycle,
        { provide: KeyVault, inject: [HubConfig], useFactory: (c: HubConfig) => loadKeyVault(c) },
        RegionService,
        IngestService,
        ReconcileService,
        SyncAuthService,
        SyncAuthGuard,
        SyncService,
        KikiService,
        KikiMemberGuard,
        ListCache,
        { provide: AdminRepository, inject: [DataSource], useFactory: (ds: DataSource) => new AdminRepository(ds) },
        AuditService,
        AdminAccountService,
      ],
      exports: [RegionService, IngestService, SyncAuthService, HubMetrics, BodyReader, RateLimits, AdminRepository, AuditService, AdminAccountService],
    };
  }
}
