import { Module } from '@nestjs/common';
import { HttpModule } from '../common/http.module';
import { HealthModule } from '../health/health.module';
import { IngestModule } from '../ingest/ingest.module';
import { RedisModule } from '../redis/redis.module';
import { RegionsModule } from '../regions/regions.module';
import { StorageModule } from '../storage.module';
import { ReconcileModule } from './reconcile.module';
import { SyncAuthService } from './sync-auth.service';
import { SyncController } from './sync.controller';
import { SyncService } from './sync.service';

/**
 * The native protocol, /sync/:region/* (docs/sync.md): push (→ ingest), pull, fetch, reconcile,
 * behind one-time sync tokens (SyncAuthService, which the original routes and GraphQL use too).
 */
@Module({
  imports: [StorageModule, RedisModule, HealthModule, HttpModule, RegionsModule, IngestModule, ReconcileModule],
  controllers: [SyncController],
  providers: [SyncAuthService, SyncService],
  exports: [SyncAuthService],
})
export class SyncModule {}
