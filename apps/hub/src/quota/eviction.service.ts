import { Inject, Injectable, Logger } from '@nestjs/common';
import { parseKey32 } from '@kiki/crypto';
import { EnvelopeRepository, type EvictionCandidate, type EvictionPlan, type EvictionReason, QuotaRepository, type RemovedReason } from '@kiki/storage';
import type { EntityManager } from 'typeorm';
import { HubConfig } from '../config/hub-config';
import { QuotaMetrics } from './quota.metrics';
import { resolveLimit } from './quota.policy';
import { QuotaQueue } from './quota.queue';
import { RegionCommits } from './region-commits';

/** What one enforce() run did. */
export interface EnforceResult {
  steps: number;
  erased: number;
  evicted: number;
  /** usage after the run (by the locked counter) */
  bytes: number;
  /** null: no limit */
  limit: number | null;
  /** the usage row differed from the envelopes and was corrected */
  repaired: boolean;
}

interface StepResult {
  done: boolean;
  erased: number;
  evicted: number;
  /** reasons of the envelopes removed, for metrics once committed */
  reasons: EvictionReason[];
  bytes: number;
  limit: number | null;
  repaired: boolean;
}

/** A dry run counts at most this many envelopes per person. */
export const PREVIEW_MAX_ENVELOPES = 1_000_000;

// A run that keeps finding work this many times is looping on a bug, not making progress.
const MAX_STEPS = 100_000;

/**
 * Brings one person within their limit, and carries out their erase: the engine the quota.evaluate
 * and quota.erase jobs run (quota-evaluate.handler.ts, quota-erase.handler.ts). Work is done in steps;
 * each step that removes anything commits atomically holding the region's sequence lock and
 * then the person's usage row (FOR UPDATE), the order every writer uses. Ingest adds to that
 * row in its own transaction, so under the lock usage and envelopes agree exactly; tombstones,
 * usage and eviction records commit together, at most QUOTA_EVICTION_BATCH envelopes a step.
 * Planning reads without locks (the region lock blocks the region's ingest, so it is held only
 * to check and remove) and is redone under the locks if anything of the person changed since.
 * The locked parts of the steps ready for one region share a transaction (RegionCommits).
 * A run interrupted anywhere leaves consistent state, and running again continues from it.
 */
/**
 * Redis channel that says "this region has new eviction records" after they commit. Hub
 * processes with evictionHappened subscribers read the eviction log when it speaks (and on a
 * slow timer anyway, so a lost message only delays events): the records themselves stay in
 * Postgres, the channel carries no data.
 */
export function evictionChannel(prefix: string, regionId: number): string {
  return `${prefix}:evictions:${regionId}`;
}

@Injectable()
export class EvictionService {
  private readonly log = new Logger(EvictionService.name);

  constructor(
    private readonly quota: QuotaRepository,
    private readonly envelopes: EnvelopeRepository,
    @Inject(HubConfig) private readonly config: HubConfig,
    private readonly metrics: QuotaMetrics,
    private readonly commits: RegionCommits,
    private readonly queue: QuotaQueue,
  ) {}

  /** After a committed step removed something: best effort, never fails the job. */
  private announce(regionId: number): void {
    this.queue.announce(evictionChannel(this.config.REDIS_PREFIX, regionId));
  }

  async enforce(regionId: number, person: string, opts: { findErase?: boolean } = {}): Promise<EnforceResult> {
    const total: EnforceResult = { steps: 0, erased: 0, evicted: 0, bytes: 0, limit: null, repaired: false };
    if (opts.findErase) {
      // An older erase never replaces a newer one, so recording it needs no lock.
      const newest = await this.quota.newestEraseLetter(regionId, person);
      if (newest) await this.quota.markErase(regionId, person, newest);
    }
    for (;;) {
      const r = await this.step(regionId, person);
      total.steps++;
      total.erased += r.erased;
      total.evicted += r.evicted;
      total.repaired ||= r.repaired;
      total.bytes = r.bytes;
      // counted here, after the commit: a rolled-back step removed nothing
      for (const reason of r.reasons) this.metrics.evictions.inc({ reason });
      if (r.reasons.length) this.announce(regionId);
      if (r.repaired) this.metrics.repairs.inc();
      total.limit = r.limit;
      if (r.done) break;
      if (total.steps >= MAX_STEPS) throw new Error(`quota enforcement for ${person} in region ${regionId} did not finish in ${MAX_STEPS} steps`);
    }
    if (total.erased || total.evicted || total.repaired) this.log.log({ msg: 'quota enforced', regionId, person, ...total });
    return total;
  }

  private async step(regionId: number, person: string): Promise<StepResult> {
    const batch = this.config.QUOTA_EVICTION_BATCH;
    const result: StepResult = { done: true, erased: 0, evicted: 0, reasons: [], bytes: 0, limit: null, repaired: false };

    // 1. Erase first: it ignores limits and tiers (it is the person's own request). Its targets
    //    depend only on their sender and date, so they hold whatever commits meanwhile.
    const mark = await this.quota.eraseMark(regionId, person);
    if (mark) {
      const targets = await this.quota.eraseTargets(regionId, person, mark, batch);
      if (targets.length) {
        const reasons = await this.commits.run(regionId, (m) =>
          this.remove(m, regionId, person, targets.map((t) => ({ ...t, reason: 'erase' as const })), 'erase', null),
        );
        return { ...result, erased: reasons.length, reasons, done: false };
      }
    }

    // 2. The limit. Within it by the counter: done, without a lock (a later commit enqueues its own evaluation).
    const [usage, policy] = await Promise.all([this.quota.usage(regionId, person), this.quota.policy(regionId, person)]);
    result.bytes = usage.bytes;
    if (!policy) return result; // the region is gone
    const limit = resolveLimit(person, policy);
    result.limit = limit;
    if (limit === null || usage.bytes <= limit) return result;

    // 3. Over: plan from the envelopes without locks, then lock, check nothing moved, remove.
    const draft = await this.plan(regionId, person, limit, batch);
    return this.commits.run(regionId, async (m) => {
      const locked = await this.quota.lockUsage(m, regionId, person);
      if (!locked) return result;
      let plan = draft;
      if (draft.usage?.version !== locked.version) {
        // something of the person committed since the draft: plan again, now exactly
        plan = await this.plan(regionId, person, limit, batch, m);
      }
      if (plan.bytes !== locked.bytes || plan.envelopes !== locked.envelopes) {
        await this.quota.setUsage(m, regionId, person, { bytes: plan.bytes, envelopes: plan.envelopes });
        this.log.warn({ msg: 'usage differed from envelopes; corrected', regionId, person, counted: locked, actual: { bytes: plan.bytes, envelopes: plan.envelopes } });
        result.repaired = true;
      }
      result.bytes = plan.bytes;
      if (plan.candidates.length === 0) return result;
      result.reasons = await this.remove(m, regionId, person, plan.candidates, 'quota', limit);
      result.evicted = result.reasons.length;
      result.bytes = plan.bytes - plan.candidates.reduce((s, c) => s + c.size, 0);
      // another step confirms (and continues when one batch was not enough)
      return { ...result, done: false };
    });
  }

  /** kiki's eviction order for this person and limit (QuotaRepository.evictionPlan), the one rule enforce() and dry runs share. */
  private async plan(regionId: number, person: string, limit: number, batch: number, m?: EntityManager): Promise<EvictionPlan> {
    const images = supersededImages(await this.quota.assignedImages(regionId, person, m));
    return this.quota.evictionPlan(regionId, person, images, limit, batch, m);
  }

  /**
   * A dry run: what enforcing `limit` on the person would evict now (erase aside), by the very
   * plan enforce() makes, read without locks. Nothing changes.
   */
  async preview(regionId: number, person: string, limit: number | null): Promise<{ envelopes: number; bytes: number }> {
    if (limit === null) return { envelopes: 0, bytes: 0 };
    const plan = await this.plan(regionId, person, limit, PREVIEW_MAX_ENVELOPES);
    return { envelopes: plan.candidates.length, bytes: plan.candidates.reduce((sum, c) => sum + c.size, 0) };
  }

  /** Tombstones (EnvelopeRepository.remove gives the bytes back) and their eviction records, in the caller's transaction. */
  private async remove(
    m: EntityManager,
    regionId: number,
    person: string,
    items: Array<Pick<EvictionCandidate, 'id' | 'size' | 'purpose'> & { reason: EvictionReason; sender?: string }>,
    why: RemovedReason,
    limit: number | null,
  ): Promise<EvictionReason[]> {
    const removed = new Set((await this.envelopes.remove(regionId, items.map((i) => i.id), why, m)).map((id) => id.toString('hex')));
    const records = items
      .filter((i) => removed.has(i.id.toString('hex')))
      // recorded under the envelope's sender, also when the account evicted from is the unproven pool
      .map((i) => ({ envelopeId: i.id, person: i.sender ?? person, reason: i.reason, size: i.size, purpose: i.purpose, limitBytes: limit }));
    await this.quota.recordEvictions(m, regionId, records);
    return records.map((r) => r.reason);
  }
}

/**
 * Image letters that older action-assign/image letters pointed at and the newest one does not:
 * the person's superseded profile images. `contents` is newest first.
 */
export function supersededImages(contents: Array<string | null>): Buffer[] {
  // the original names the image as "../kiki/<id>": compare and decode the id part only
  const idText = (c: string | null) => (c ? c.slice(c.lastIndexOf('/') + 1) : c);
  const [current, ...older] = contents.map(idText);
  const out = new Map<string, Buffer>();
  for (const c of older) {
    if (!c || c === current) continue;
    const id = parseKey32(c); // not an id: nothing to evict for it
    if (id.ok) out.set(c, id.bytes);
  }
  return [...out.values()];
}
