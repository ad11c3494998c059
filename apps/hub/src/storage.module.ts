import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions, EnvelopeRepository, NonceRepository, RegionRepository } from '@kiki/storage';
import { DataSource } from 'typeorm';
import { HubConfig } from './config/hub-config';

/** Postgres through TypeORM, and the repositories over it (libs/storage knows nothing of Nest). */
@Global()
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
  ],
  exports: [RegionRepository, EnvelopeRepository, NonceRepository],
})
export class StorageModule {}
