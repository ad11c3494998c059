import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions, EnvelopeRepository, NonceRepository, ReadRepository, RegionRepository } from '@kiki/storage';
import { DataSource } from 'typeorm';
import { HubConfig } from './config/hub-config';

/**
 * Postgres through TypeORM, and the repositories shared by several features (libs/storage knows
 * nothing of Nest); a repository of one feature is provided by that feature's module (admin,
 * quota). Imported by each module that uses them; TypeORM's DataSource itself is Nest's
 * infrastructure (visible everywhere once the root is imported).
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [HubConfig],
      useFactory: (config: HubConfig) => dataSourceOptions({ url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE }),
    }),
  ],
  providers: [
    { provide: RegionRepository, inject: [DataSource], useFactory: (ds: DataSource) => new RegionRepository(ds) },
    { provide: EnvelopeRepository, inject: [DataSource], useFactory: (ds: DataSource) => new EnvelopeRepository(ds) },
    { provide: NonceRepository, inject: [DataSource], useFactory: (ds: DataSource) => new NonceRepository(ds) },
    // reads for GraphQL pages and the original /list (no writes)
    { provide: ReadRepository, inject: [DataSource], useFactory: (ds: DataSource) => new ReadRepository(ds) },
  ],
  exports: [RegionRepository, EnvelopeRepository, NonceRepository, ReadRepository],
})
export class StorageModule {}
