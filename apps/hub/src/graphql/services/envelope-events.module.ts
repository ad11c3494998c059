import { Module } from '@nestjs/common';
import { RedisModule } from '../../redis/redis.module';
import { StorageModule } from '../../storage.module';
import { EnvelopeEvents } from './envelope-events.service';

/**
 * envelopeAdded events across hub processes (Redis pub/sub): published by ingest's after-commit
 * pipeline, served by GraphQL subscriptions. Its own module because IngestModule imports it
 * while GraphqlModule imports IngestModule.
 */
@Module({
  imports: [RedisModule, StorageModule],
  providers: [EnvelopeEvents],
  exports: [EnvelopeEvents],
})
export class EnvelopeEventsModule {}
