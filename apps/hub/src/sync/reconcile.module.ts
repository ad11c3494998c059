import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { StorageModule } from '../storage.module';
import { ReconcileService } from './reconcile.service';

/**
 * The in-memory reconciliation index per region, apart from SyncModule because ingest's
 * after-commit pipeline feeds it (IngestModule imports this; SyncModule imports both).
 */
@Module({
  imports: [StorageModule, HealthModule],
  providers: [ReconcileService],
  exports: [ReconcileService],
})
export class ReconcileModule {}
