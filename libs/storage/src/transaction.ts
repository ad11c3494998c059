import type { DataSource, EntityManager } from 'typeorm';

/**
 * The one way to run work in a transaction (issue 15). Repositories follow one convention with it:
 * a method that must run inside the caller's transaction (a lock, a write that goes with others)
 * takes the EntityManager FIRST and requires it; a method that may run anywhere takes it LAST,
 * optional (`m: Db = this.ds`), and runs on the pool when none is given.
 */
export type Db = DataSource | EntityManager;

/** The isolation levels the hub uses (Postgres' own default is READ COMMITTED). */
export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

export interface TransactionOptions {
  /** set when a new transaction starts; a joined transaction keeps the level it started with */
  isolation?: IsolationLevel;
}

/** The transaction `target` already runs in, if it is a manager bound to an open one. */
function openTransaction(target: Db): EntityManager | null {
  const runner = (target as Partial<EntityManager>).queryRunner;
  return runner?.isTransactionActive ? (target as EntityManager) : null;
}

/**
 * Runs `fn` in a transaction: the caller's, when `target` is a manager inside one (no new
 * transaction, no savepoint: a throw aborts the caller's transaction too), else a new one on
 * `target` that commits when `fn` resolves and rolls back when it throws.
 */
export function inTransaction<T>(target: Db, fn: (m: EntityManager) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
  const outer = openTransaction(target);
  if (outer) return fn(outer);
  return opts.isolation ? target.transaction(opts.isolation, fn) : target.transaction(fn);
}

/**
 * Runs `fn` under a savepoint of the caller's open transaction: when it throws, only its own
 * work is undone (ROLLBACK TO SAVEPOINT), the error is rethrown and the outer transaction stays
 * usable. TypeORM's nested `manager.transaction` is exactly that on Postgres (SAVEPOINT
 * typeorm_<depth> / RELEASE / ROLLBACK TO; libs/storage/test/transaction.spec.ts pins it).
 */
export function savepoint<T>(m: EntityManager, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  if (!openTransaction(m)) return Promise.reject(new Error('savepoint() needs a manager inside an open transaction'));
  return m.transaction(fn);
}

/**
 * The rows of a `… RETURNING` statement: TypeORM answers UPDATE and DELETE with [rows, affected]
 * but INSERT and SELECT with the rows alone.
 */
export function returnedRows<T>(result: unknown): T[] {
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number'
    ? (result[0] as T[])
    : (result as T[]);
}
