import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Runs `text` as a named prepared statement straight on node-postgres' pool: planned once per
 * connection, and without TypeORM's query path. For the statements on hot paths (every ingest
 * batch, every cached GraphQL page), where either cost is noticeable. Falls back to TypeORM's
 * path when the driver has no pool.
 */
export async function preparedQuery<T>(ds: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (ds.driver as PostgresDriver).master as Pool | undefined;
  return pool ? (await pool.query({ name, text, values })).rows : ds.query(text, values);
}

/** Postgres text holds neither NUL nor (once encoded to UTF-8) lone surrogates. */
export function isStorableText(s: string): boolean {
  return !UNSTORABLE_TEXT.test(s);
}
const UNSTORABLE_TEXT = /[\u0000\p{Surrogate}]/u;
