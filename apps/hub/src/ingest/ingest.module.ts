import { Module } from '@nestjs/common';
import { EnvelopeEventsModule } from '../graphql/services/envelope-events.module';
import { HealthModule } from '../health/health.module';
import { QuotaModule } from '../quota/quota.module';
import { StorageModule } from '../storage.module';
import { ReconcileModule } from '../sync/reconcile.module';
import { AfterCommit, afterCommitFollowers } from './after-commit';
import { IngestService } from './ingest.service';

/**
 * The one ingest path of every route, and what follows each commit (after-commit.ts): the
 * modules imported here are those of its followers (reconciliation index, quota jobs, subscriptions).
 */
@Module({
  imports: [StorageModule, HealthModule, ReconcileModule, QuotaModule.forHub(), EnvelopeEventsModule],
  providers: [afterCommitFollowers, AfterCommit, IngestService],
  exports: [IngestService],
})
export class IngestModule {}
