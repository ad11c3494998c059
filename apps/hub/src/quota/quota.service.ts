import { Injectable } from '@nestjs/common';
import { base58Encode } from '@kiki/crypto';
import {
  EnvelopeRepository,
  type EvictionReason,
  QUOTA_TIERS,
  QuotaRepository,
  type QuotaTier,
  RegionRepository,
  SENDER_POLICIES,
  type SenderPolicy,
} from '@kiki/storage';
import { HubError } from '../common/errors';
import { requireKey32 } from '../common/keys';
import { EvictionService } from './eviction.service';
import { effectiveTier, resolveLimit } from './quota.policy';
import { ENQUEUE_TIMEOUT_MS, QuotaQueue, type QuotaQueueStatus, withTimeout } from './quota.queue';
import { USAGE_SAMPLE_SCHEDULER, SWEEP_SCHEDULER } from './quota.worker';
import { lastSweepKey } from './sweep.service';

/** The region a call is about: a RegionContext will do. */
export interface RegionRef {
  regionId: number;
}

export interface RegionQuotaPolicy {
  /** bytes per person in the default tier */
  defaultBytes: number;
  /** bytes per person in the trusted tier */
  trustedBytes: number;
}

export interface SenderPolicySettings {
  policy: SenderPolicy;
  /** under v2-for-quota: bytes all unproven envelopes of the region share */
  unprovenPoolBytes: number;
  /** cap on the region's counted bytes; null: none */
  maxTotalBytes: number | null;
  /** cap on the number of unproven senders the region counts; null: none */
  maxUnprovenSenders: number | null;
  /** how many unproven senders the region counts now (only kept while a cap is set) */
  unprovenSenders: number;
  /** /r/<region>/* (but ping) needs a one-time sync token */
  kikiRoutesRequireToken: boolean;
}

/** The optional settings of setSenderPolicy beyond the policy itself (undefined: keep). */
export interface SenderPolicyExtras {
  /** null removes the cap; a number (0 to MAX_UNPROVEN_SENDERS) also recounts the region's senders */
  maxUnprovenSenders?: number | null;
  kikiRoutesRequireToken?: boolean;
}

/** The largest max_unproven_senders (a Postgres integer). */
export const MAX_UNPROVEN_SENDERS = 2_147_483_647;

/** Ids one restore call takes at most. */
export const MAX_RESTORE_IDS = 1000;

export interface PersonQuota {
  person: string;
  /** effective tier ('unlimited' for the hub's own identity) */
  tier: QuotaTier;
  overrideBytes: number | null;
  /** bytes allowed; null = no limit */
  limit: number | null;
  usage: { bytes: number; envelopes: number };
  overLimit: boolean;
  hubIdentity: boolean;
}

export interface EvictionView {
  evictionId: string;
  /** kiki id (base58) of the envelope, now a tombstone */
  envelopeId: string;
  person: string;
  reason: EvictionReason;
  size: number;
  purpose: string | null;
  limitBytes: number | null;
  evictedAt: Date;
}

export interface Page<T> {
  items: T[];
  /** pass as `before`/`after` for the next page; null at the end */
  next: string | null;
}

/** What a change would evict now (a dry run). */
export interface EvictionPreview {
  people: number;
  envelopes: number;
  bytes: number;
  /** false when more people would be over their limit than a dry run plans (envelopes and bytes then cover the largest PREVIEW_MAX_PEOPLE) */
  complete: boolean;
}

/** A policy dry run plans the eviction of at most this many people (the largest first). */
export const PREVIEW_MAX_PEOPLE = 1000;
const PREVIEW_CONCURRENCY = 4;

/** What the dashboard's queues page shows (hub admins). */
export interface QueueHealth {
  lastSweepAt: Date | null;
  nextSweepAt: Date | null;
  nextUsageSampleAt: Date | null;
  workersAlive: number;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** failed jobs about a region, among the newest FAILED_SCAN failed jobs */
  failedByRegion: Array<{ regionId: number; failed: number }>;
}

/** queueHealth groups at most this many of the newest failed jobs by region. */
export const FAILED_SCAN = 1000;

export const MAX_PAGE = 100;
const MAX_BYTES = Number.MAX_SAFE_INTEGER;

/**
 * Quota administration: what admins read and change (GraphQL, the dashboard and `hub` CLI call
 * these; see docs/quotas.md). Every method takes the region first. It runs no job: enforcement
 * happens in the workers (quota.evaluate: QuotaEvaluateHandler, quota.erase: QuotaEraseHandler,
 * quota.sweep*: SweepService, usage.sample: UsageSampleService).
 */
@Injectable()
export class QuotaService {
  constructor(
    private readonly quota: QuotaRepository,
    private readonly regions: RegionRepository,
    private readonly queue: QuotaQueue,
    private readonly envelopes: EnvelopeRepository,
    private readonly eviction: EvictionService,
  ) {}

  async getSenderPolicy(region: RegionRef): Promise<SenderPolicySettings> {
    const row = await this.regions.findById(region.regionId);
    if (!row) throw new HubError('UNKNOWN_REGION', `no region ${region.regionId} on this hub`, 'region');
    return {
      policy: row.senderPolicy,
      unprovenPoolBytes: Number(row.unprovenPoolBytes),
      maxTotalBytes: row.maxTotalBytes === null ? null : Number(row.maxTotalBytes),
      maxUnprovenSenders: row.maxUnprovenSenders,
      unprovenSenders: row.unprovenSenders,
      kikiRoutesRequireToken: row.kikiRoutesRequireToken,
    };
  }

  /**
   * What an envelope without a verified v2 signature may do in the region (docs/quotas.md "Who is
   * proven"). Hub processes apply it within their region cache time (30 s); a sweep follows.
   */
  async setSenderPolicy(
    region: RegionRef,
    policy: SenderPolicy,
    unprovenPoolBytes?: number,
    maxTotalBytes?: number | null,
    extras: SenderPolicyExtras = {},
  ): Promise<SenderPolicySettings> {
    if (!SENDER_POLICIES.includes(policy)) throw new HubError('BAD_REQUEST', `policy must be one of ${SENDER_POLICIES.join(', ')}`, 'policy');
    if (unprovenPoolBytes !== undefined) checkBytes(unprovenPoolBytes, 'unprovenPoolBytes');
    if (maxTotalBytes !== undefined && maxTotalBytes !== null) checkBytes(maxTotalBytes, 'maxTotalBytes');
    const { maxUnprovenSenders, kikiRoutesRequireToken } = extras;
    if (maxUnprovenSenders !== undefined && maxUnprovenSenders !== null && (!Number.isSafeInteger(maxUnprovenSenders) || maxUnprovenSenders < 0 || maxUnprovenSenders > MAX_UNPROVEN_SENDERS)) {
      throw new HubError('BAD_REQUEST', `maxUnprovenSenders must be a whole number from 0 to ${MAX_UNPROVEN_SENDERS}, or null for no cap`, 'maxUnprovenSenders');
    }
    if (kikiRoutesRequireToken !== undefined && typeof kikiRoutesRequireToken !== 'boolean') {
      throw new HubError('BAD_REQUEST', 'kikiRoutesRequireToken must be true or false', 'kikiRoutesRequireToken');
    }
    await this.getSenderPolicy(region);
    await this.regions.updatePolicy(region.regionId, { senderPolicy: policy, unprovenPoolBytes, maxTotalBytes, maxUnprovenSenders, kikiRoutesRequireToken });
    await this.queue.enqueue([{ name: 'quota.sweep-region', data: { regionId: region.regionId } }]);
    return this.getSenderPolicy(region);
  }

  /**
   * Undoes removals (evictions, erases, admin removals) still within the retention period
   * (REMOVAL_RETENTION_SECONDS): the envelopes are live again, with their usage; their senders
   * are evaluated afterwards, so the usual rules then apply. Returns how many came back.
   */
  async restoreEnvelopes(region: RegionRef, ids: string[]): Promise<number> {
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_RESTORE_IDS) {
      throw new HubError('BAD_REQUEST', `ids must hold 1 to ${MAX_RESTORE_IDS} envelope ids`, 'ids');
    }
    const bytes = ids.map((id, i) => requireKey32(id, `ids[${i}]`, 'id'));
    await this.getPolicy(region);
    const restored = await this.envelopes.restore(region.regionId, bytes);
    await this.queue.enqueue([...new Set(restored.map((r) => r.account))].map((person) => ({ name: 'quota.evaluate' as const, data: { regionId: region.regionId, person } })));
    return restored.length;
  }

  /**
   * Undoes a person's erase: their live erase letters are removed (reason admin, themselves
   * restorable), the erase point forgotten, and what the erase removed within the retention
   * period restored. Returns how many envelopes came back.
   */
  async undoErase(region: RegionRef, person: string): Promise<number> {
    checkPerson(person);
    await this.getPolicy(region);
    const letters = await this.quota.liveEraseLetters(region.regionId, person);
    await this.envelopes.remove(region.regionId, letters, 'admin');
    await this.quota.clearErase(region.regionId, person);
    const ids = await this.envelopes.restorable(region.regionId, person, 'erase');
    let restored = 0;
    for (let i = 0; i < ids.length; i += MAX_RESTORE_IDS) restored += (await this.envelopes.restore(region.regionId, ids.slice(i, i + MAX_RESTORE_IDS))).length;
    await this.evaluate(region, person);
    return restored;
  }

  async getPolicy(region: RegionRef): Promise<RegionQuotaPolicy> {
    const row = await this.regions.findById(region.regionId);
    if (!row) throw new HubError('UNKNOWN_REGION', `no region ${region.regionId} on this hub`, 'region');
    return { defaultBytes: Number(row.defaultQuotaBytes), trustedBytes: Number(row.trustedQuotaBytes) };
  }

  /** Changes the region's tier limits; a sweep then brings everyone within the new limits. */
  async setRegionPolicy(region: RegionRef, patch: Partial<RegionQuotaPolicy>): Promise<RegionQuotaPolicy> {
    await this.getPolicy(region);
    if (patch.defaultBytes !== undefined) checkBytes(patch.defaultBytes, 'defaultBytes');
    if (patch.trustedBytes !== undefined) checkBytes(patch.trustedBytes, 'trustedBytes');
    await this.regions.updatePolicy(region.regionId, { defaultQuotaBytes: patch.defaultBytes, trustedQuotaBytes: patch.trustedBytes });
    await this.queue.enqueue([{ name: 'quota.sweep-region', data: { regionId: region.regionId } }]);
    return this.getPolicy(region);
  }

  /**
   * Puts a person in a tier, optionally with their own limit (not with 'unlimited'). Tier
   * 'default' without override removes the person's row. The person is evaluated right after.
   */
  async setPersonTier(region: RegionRef, person: string, tier: QuotaTier, overrideBytes: number | null = null): Promise<PersonQuota> {
    checkTierChange(person, tier, overrideBytes);
    await this.getPolicy(region);
    await this.quota.setPersonPolicy(region.regionId, person, tier, overrideBytes);
    await this.evaluate(region, person);
    return this.personQuota(region, person);
  }

  /**
   * A dry run of setPersonTier: what the quota worker would evict of the person right after the
   * change (the worker's own plan, see EvictionService.preview). Nothing changes.
   */
  async previewPersonTier(region: RegionRef, person: string, tier: QuotaTier, overrideBytes: number | null = null): Promise<EvictionPreview> {
    checkTierChange(person, tier, overrideBytes);
    const policy = await this.quota.policy(region.regionId, person);
    if (!policy) throw new HubError('UNKNOWN_REGION', `no region ${region.regionId} on this hub`, 'region');
    const limit = resolveLimit(person, { ...policy, tier, overrideBytes });
    const r = await this.eviction.preview(region.regionId, person, limit);
    return { people: r.envelopes > 0 ? 1 : 0, ...r, complete: true };
  }

  /**
   * A dry run of setRegionPolicy: everyone the new tier limits would put over (the sweep's rule),
   * with what the worker would evict of each. Nothing changes.
   */
  async previewRegionPolicy(region: RegionRef, patch: Partial<RegionQuotaPolicy>): Promise<EvictionPreview> {
    const current = await this.getPolicy(region);
    if (patch.defaultBytes !== undefined) checkBytes(patch.defaultBytes, 'defaultBytes');
    if (patch.trustedBytes !== undefined) checkBytes(patch.trustedBytes, 'trustedBytes');
    const tiers = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    const over = await this.quota.overLimitWith(region.regionId, tiers, PREVIEW_MAX_PEOPLE);
    let envelopes = 0;
    let bytes = 0;
    let people = 0;
    // a few people at a time: the pool is shared with ingest
    for (let i = 0; i < over.people.length; i += PREVIEW_CONCURRENCY) {
      const plans = await Promise.all(
        over.people.slice(i, i + PREVIEW_CONCURRENCY).map(async (person) => {
          const policy = await this.quota.policy(region.regionId, person);
          if (!policy) throw new HubError('UNKNOWN_REGION', `no region ${region.regionId} on this hub`, 'region');
          return this.eviction.preview(region.regionId, person, resolveLimit(person, { ...policy, defaultBytes: tiers.defaultBytes, trustedBytes: tiers.trustedBytes }));
        }),
      );
      for (const r of plans) {
        envelopes += r.envelopes;
        bytes += r.bytes;
        if (r.envelopes > 0) people++;
      }
    }
    const complete = over.total <= over.people.length;
    return { people: complete ? people : over.total, envelopes, bytes, complete };
  }

  /** Queues an evaluation of the person. False: Redis is unreachable; it is kept and sent later (the sweep covers it too). */
  evaluate(region: RegionRef, person: string): Promise<boolean> {
    checkPerson(person);
    return this.queue.enqueue([{ name: 'quota.evaluate', data: { regionId: region.regionId, person } }]);
  }

  /** Queues a sweep of the region (usage recomputed, drift repaired, people over their limit evaluated). */
  sweep(region: RegionRef): Promise<boolean> {
    return this.queue.enqueue([{ name: 'quota.sweep-region', data: { regionId: region.regionId } }]);
  }

  async personQuota(region: RegionRef, person: string): Promise<PersonQuota> {
    checkPerson(person);
    const [policy, usage] = await Promise.all([this.quota.policy(region.regionId, person), this.quota.usage(region.regionId, person)]);
    if (!policy) throw new HubError('UNKNOWN_REGION', `no region ${region.regionId} on this hub`, 'region');
    const limit = resolveLimit(person, policy);
    return {
      person,
      tier: effectiveTier(person, policy),
      overrideBytes: policy.overrideBytes,
      limit,
      usage,
      overLimit: limit !== null && usage.bytes > limit,
      hubIdentity: person === policy.hubPublicKey,
    };
  }

  /** People with a tier or override, by key; `after` is the last person of the previous page. */
  async listPersonPolicies(region: RegionRef, opts: { after?: string | null; limit?: number } = {}): Promise<Page<{ person: string; tier: QuotaTier; overrideBytes: number | null; updatedAt: Date }>> {
    const limit = pageSize(opts.limit);
    const items = await this.quota.listPersonPolicies(region.regionId, opts.after ?? null, limit);
    return { items, next: items.length === limit ? items[items.length - 1].person : null };
  }

  /** Evictions, newest first, optionally of one person; `before` is the `next` of the previous page. */
  async listEvictions(
    region: RegionRef,
    opts: { person?: string | null; reason?: EvictionReason | null; since?: Date | null; until?: Date | null; before?: string | null; limit?: number } = {},
  ): Promise<Page<EvictionView>> {
    if (opts.person) checkPerson(opts.person);
    for (const [field, d] of [['since', opts.since], ['until', opts.until]] as const) {
      if (d != null && !(d instanceof Date && Number.isFinite(d.getTime()))) throw new HubError('BAD_REQUEST', `${field} must be a date`, field);
    }
    if (opts.since && opts.until && opts.since >= opts.until) throw new HubError('BAD_REQUEST', 'since must be before until', 'since');
    if (opts.before != null && !/^[1-9][0-9]{0,18}$/.test(opts.before)) throw new HubError('BAD_REQUEST', 'before must be an eviction id from a previous page', 'before');
    const limit = pageSize(opts.limit);
    const rows = await this.quota.listEvictions(region.regionId, { person: opts.person ?? null, reason: opts.reason ?? null, since: opts.since ?? null, until: opts.until ?? null, before: opts.before ?? null, limit });
    const items = rows.map((r) => ({ ...r, envelopeId: base58Encode(r.envelopeId) }));
    return { items, next: items.length === limit ? items[items.length - 1].evictionId : null };
  }

  /** The quota queue for the dashboard: sweeps, workers alive, counts, failed jobs per region. UNAVAILABLE without Redis. */
  async health(prefix: string): Promise<QueueHealth> {
    const queue = this.queue.bullQueue;
    if (!queue || !this.queue.redisReady) throw new HubError('UNAVAILABLE', 'the quota queue (Redis) is unreachable; retry shortly');
    const work = Promise.all([
      queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
      queue.getWorkersCount(),
      queue.getJobScheduler(SWEEP_SCHEDULER),
      queue.getJobScheduler(USAGE_SAMPLE_SCHEDULER),
      queue.getFailed(0, FAILED_SCAN - 1),
      this.queue.connection?.get(lastSweepKey(prefix)) ?? null,
    ]);
    const [counts, workers, sweep, sample, failed, last] = await withTimeout(work, ENQUEUE_TIMEOUT_MS).catch((err: Error) => {
      throw new HubError('UNAVAILABLE', `the quota queue (Redis) did not answer: ${err.message}`);
    });
    const byRegion = new Map<number, number>();
    for (const job of failed) {
      const regionId = (job?.data as { regionId?: unknown } | undefined)?.regionId;
      if (typeof regionId === 'number') byRegion.set(regionId, (byRegion.get(regionId) ?? 0) + 1);
    }
    return {
      lastSweepAt: last ? new Date(Number(last)) : null,
      nextSweepAt: sweep?.next ? new Date(sweep.next) : null,
      nextUsageSampleAt: sample?.next ? new Date(sample.next) : null,
      workersAlive: workers,
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      failedByRegion: [...byRegion].map(([regionId, n]) => ({ regionId, failed: n })).sort((a, b) => b.failed - a.failed || a.regionId - b.regionId),
    };
  }

  /** Queue health for operators: Redis state, job counts, recent failures with their reasons. */
  status(): Promise<QuotaQueueStatus> {
    return this.queue.status();
  }
}

function checkPerson(person: string): void {
  requireKey32(person, 'person', 'key');
}

function checkTierChange(person: string, tier: QuotaTier, overrideBytes: number | null): void {
  checkPerson(person);
  if (!QUOTA_TIERS.includes(tier)) throw new HubError('BAD_REQUEST', `tier must be one of ${QUOTA_TIERS.join(', ')}`, 'tier');
  if (overrideBytes !== null) {
    checkBytes(overrideBytes, 'overrideBytes');
    if (tier === 'unlimited') throw new HubError('BAD_REQUEST', 'an unlimited person cannot also have a byte limit: choose one', 'overrideBytes');
  }
}

function checkBytes(n: number, field: string): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_BYTES) throw new HubError('BAD_REQUEST', `${field} must be a whole number of bytes, 0 or more`, field);
}

function pageSize(n: number | undefined): number {
  if (n === undefined) return 50;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw new HubError('BAD_REQUEST', `limit must be 1 to ${MAX_PAGE}`, 'limit');
  return n;
}

