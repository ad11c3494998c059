import { afterAll, beforeAll } from 'vitest';
import { createDataSource } from '@kiki/storage';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from './db';

/** What useTestDataSource gives a test file; filled in by its beforeAll. */
export interface StorageTestContext {
  db: TestDatabase;
  ds: DataSource;
}

/**
 * A private database for this test file and a DataSource on it, opened before the file's tests
 * and closed and dropped after them (registers the beforeAll/afterAll itself). Read `ds` inside
 * hooks and tests, not at the top level: it is set once beforeAll ran.
 */
export function useTestDataSource(poolSize = 2): StorageTestContext {
  const ctx = {} as StorageTestContext;
  beforeAll(async () => {
    ctx.db = await createTestDatabase();
    ctx.ds = createDataSource({ url: ctx.db.url, poolSize });
    await ctx.ds.initialize();
  });
  afterAll(async () => {
    await ctx.ds?.destroy();
    await ctx.db?.drop();
  });
  return ctx;
}
