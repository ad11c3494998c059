import { Module } from '@nestjs/common';
import { HttpModule } from '../common/http.module';
import { IngestModule } from '../ingest/ingest.module';
import { RegionsModule } from '../regions/regions.module';
import { StorageModule } from '../storage.module';
import { SyncModule } from '../sync/sync.module';
import { KikiController } from './kiki.controller';
import { KikiService } from './kiki.service';
import { ListCache } from './list-cache';

/**
 * The original kiki routes, /r/:region/*: ping, list, get, envelope (→ ingest).
 * SyncModule only for its tokens (KikiMemberGuard, in regions that require them).
 */
@Module({
  imports: [StorageModule, HttpModule, RegionsModule, IngestModule, SyncModule],
  controllers: [KikiController],
  providers: [KikiService, ListCache],
})
export class KikiModule {}
