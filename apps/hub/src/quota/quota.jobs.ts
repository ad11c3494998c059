import { SetMetadata } from '@nestjs/common';
import type { DefaultJobOptions } from 'bullmq';

/** The one BullMQ queue of quota work; its Redis keys carry the hub's REDIS_PREFIX. */
export const QUOTA_QUEUE = 'quota';

/** A job about one person of one region: ids only, never envelopes. */
export interface PersonJob {
  regionId: number;
  person: string;
}

export interface RegionJob {
  regionId: number;
}

/** Every quota job name with its payload. A job is found by name in this map and nowhere else. */
export interface QuotaJobPayloads {
  /** Bring a person within their limit (and finish any erase of theirs). After ingest, policy changes, sweeps. */
  'quota.evaluate': PersonJob;
  /** The person published an action-erase: record it, remove what it covers, then evaluate. */
  'quota.erase': PersonJob;
  /** The repeatable sweep: one quota.sweep-region per region. */
  'quota.sweep': Record<string, never>;
  /** Recompute a region's usage from its envelopes, repair drift, enqueue people over their limit. */
  'quota.sweep-region': RegionJob;
  /** The repeatable usage sample: one usage_sample row per region (usageSeries), old ones deleted. */
  'usage.sample': Record<string, never>;
}

export type QuotaJobName = keyof QuotaJobPayloads;
export type QuotaJob = { [N in QuotaJobName]: { name: N; data: QuotaJobPayloads[N] } }[QuotaJobName];

// A record over the union, so adding a name without listing it here fails to compile.
const NAMES: Record<QuotaJobName, true> = { 'quota.evaluate': true, 'quota.erase': true, 'quota.sweep': true, 'quota.sweep-region': true, 'usage.sample': true };
export const QUOTA_JOB_NAMES = Object.keys(NAMES) as QuotaJobName[];

/**
 * Retried with backoff (handlers are idempotent: a rerun continues from what committed);
 * failed jobs stay in the failed set, where QuotaService.status() shows them.
 */
export const QUOTA_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { count: 200 },
  removeOnFail: { count: 5000 },
};

/**
 * One waiting job per (name, region, person): bursts coalesce. While one runs, one more may
 * wait (keepLastIfActive), so envelopes committed during a run are evaluated after it.
 */
export function deduplicationId(job: QuotaJob): string {
  const d = job.data as Partial<PersonJob>;
  return [job.name, d.regionId ?? '*', d.person ?? '*'].join(':');
}

export const QUOTA_JOB_HANDLER = 'kiki:quota-job-handler';

/** Marks the one method that handles a job name; the payload type follows the name. */
export function OnQuotaJob<N extends QuotaJobName>(name: N) {
  return <T extends (payload: QuotaJobPayloads[N]) => Promise<unknown>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>) => {
    SetMetadata(QUOTA_JOB_HANDLER, name)(target, key, descriptor);
  };
}

export interface FoundHandler {
  name: string;
  /** Class.method, for messages */
  where: string;
  run(payload: unknown): Promise<unknown>;
}

export class QuotaJobsError extends Error {
  constructor(readonly problems: string[]) {
    super(`quota jobs are not wired correctly: ${problems.join('; ')}`);
    this.name = 'QuotaJobsError';
  }
}

/** Exactly one handler per job name, and none for unknown names; otherwise the process refuses to boot. */
export function handlerTable(found: FoundHandler[]): Map<QuotaJobName, FoundHandler> {
  const problems: string[] = [];
  const table = new Map<QuotaJobName, FoundHandler>();
  for (const h of found) {
    if (!(QUOTA_JOB_NAMES as string[]).includes(h.name)) problems.push(`${h.where} handles "${h.name}", which is not a quota job`);
    else if (table.has(h.name as QuotaJobName)) problems.push(`"${h.name}" has two handlers: ${table.get(h.name as QuotaJobName)!.where} and ${h.where}`);
    else table.set(h.name as QuotaJobName, h);
  }
  for (const n of QUOTA_JOB_NAMES) if (!table.has(n) && !problems.some((p) => p.startsWith(`"${n}"`))) problems.push(`"${n}" has no handler`);
  if (problems.length) throw new QuotaJobsError(problems);
  return table;
}
