import { Injectable } from '@nestjs/common';
import { inTransaction, QuotaRepository, savepoint } from '@kiki/storage';
import { DataSource, type EntityManager } from 'typeorm';

interface Work {
  run(m: EntityManager): Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

// Steps per shared transaction; more wait for the next one.
const MAX_STEPS_PER_COMMIT = 200;

/**
 * Group commit for the locked phase of eviction steps. Every removal needs the region's
 * sequence lock, which ingest holds for the length of each of its transactions; instead of each
 * step queueing for it on its own connection, the steps ready in this process for one region
 * share one transaction: one wait serves them all, and steps waiting for their turn hold no
 * connection. Each step runs under its own savepoint (a failing step is undone alone and its
 * job retried) and is reported done only after the commit.
 */
@Injectable()
export class RegionCommits {
  private readonly pending = new Map<number, Work[]>();
  private readonly draining = new Set<number>();

  constructor(
    private readonly ds: DataSource,
    private readonly quota: QuotaRepository,
  ) {}

  /** Runs `work` inside a transaction that already holds the region's sequence lock. */
  run<T>(regionId: number, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const list = this.pending.get(regionId) ?? [];
      list.push({ run: work, resolve: resolve as (v: unknown) => void, reject });
      this.pending.set(regionId, list);
      if (!this.draining.has(regionId)) void this.drain(regionId);
    });
  }

  private async drain(regionId: number): Promise<void> {
    this.draining.add(regionId);
    try {
      while (this.pending.get(regionId)?.length) {
        let batch: Work[] = [];
        const outcomes: Array<() => void> = [];
        try {
          await inTransaction(
            this.ds,
            async (m) => {
              await this.quota.lockRegion(m, regionId);
              // everything that arrived by now, including while this waited for the lock
              batch = this.pending.get(regionId)!.splice(0, MAX_STEPS_PER_COMMIT);
              for (const w of batch) {
                try {
                  const value = await savepoint(m, w.run);
                  outcomes.push(() => w.resolve(value));
                } catch (err) {
                  outcomes.push(() => w.reject(err));
                }
              }
            },
            { isolation: 'READ COMMITTED' },
          );
          for (const settle of outcomes) settle();
        } catch (err) {
          // The transaction itself failed (lock, connection, commit): none of its steps happened.
          const failed = batch.length ? batch : this.pending.get(regionId)!.splice(0);
          for (const w of failed) w.reject(err);
        }
      }
    } finally {
      this.draining.delete(regionId);
      this.pending.delete(regionId);
    }
  }
}
