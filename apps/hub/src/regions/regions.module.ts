import { Module } from '@nestjs/common';
import { HubConfig } from '../config/hub-config';
import { StorageModule } from '../storage.module';
import { KeyVault } from './key-vault';
import { loadKeyVault } from './master-key';
import { RegionService } from './region.service';

/** Regions: their rows, their keys (sealed by the hub's master key) and the per-process region cache. */
@Module({
  imports: [StorageModule],
  providers: [{ provide: KeyVault, inject: [HubConfig], useFactory: (c: HubConfig) => loadKeyVault(c) }, RegionService],
  exports: [RegionService],
})
export class RegionsModule {}
