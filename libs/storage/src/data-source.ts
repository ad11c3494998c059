import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../../migrations';
import { entities } from './entities';

export interface StorageOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/** The one TypeORM configuration: reviewed migrations only, never `synchronize`. */
export function dataSourceOptions(opts: StorageOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: opts.url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    migrationsTransactionMode: 'each',
    extra: { max: opts.poolSize ?? 10, application_name: opts.applicationName ?? 'kiki-hub' },
  };
}

export function createDataSource(opts: StorageOptions): DataSource {
  return new DataSource(dataSourceOptions(opts));
}
