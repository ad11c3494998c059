import { Module } from '@nestjs/common';
import { ReadRepository } from '@kiki/storage';
import { AdminAccountService } from '../../admin/admin-account.service';
import { AdminModule } from '../../admin/admin.module';
import { HubConfig } from '../../config/hub-config';
import { RegionService } from '../../regions/region.service';
import { RegionsModule } from '../../regions/regions.module';
import { StorageModule } from '../../storage.module';
import { SyncAuthService } from '../../sync/sync-auth.service';
import { SyncModule } from '../../sync/sync.module';
import { GqlContextFactory } from './context.factory';

/**
 * Who is asking, for GraphQL: one GqlContextFactory, shared by Apollo's context (GraphQLModule's
 * options import this module), the page cache and the WebSocket server.
 */
@Module({
  imports: [StorageModule, RegionsModule, SyncModule, AdminModule],
  providers: [
    {
      provide: GqlContextFactory,
      inject: [HubConfig, RegionService, SyncAuthService, ReadRepository, AdminAccountService],
      useFactory: (config: HubConfig, regions: RegionService, syncAuth: SyncAuthService, reads: ReadRepository, admins: AdminAccountService) =>
        new GqlContextFactory(config, regions, syncAuth, reads, admins),
    },
  ],
  exports: [GqlContextFactory],
})
export class GraphqlAuthModule {}
