import { Inject, Injectable, Logger } from '@nestjs/common';
import { EnvelopeRepository, QuotaRepository } from '@kiki/storage';
import { HubConfig } from '../config/hub-config';
import { QuotaMetrics } from './quota.metrics';
import { OnQuotaJob, type QuotaJob, type RegionJob } from './quota.jobs';
import { QuotaQueue } from './quota.queue';

export interface SweepReport {
  regionId: number;
  /** live envelopes scanned */
  scanned: number;
  /** usage rows that looked different in the unlocked scan */
  suspects: number;
  /** usage rows corrected after the locked re-check */
  repaired: number;
  overLimit: number;
  erasePending: number;
  /** removals older than the retention period whose sealed fields were forgotten (no longer undoable) */
  purged: number;
  /** false: Redis did not take the follow-up jobs now (they are kept and sent later) */
  queued: boolean;
  ms: number;
}

/** Redis key of the time (ms) the last sweep started. */
export function lastSweepKey(prefix: string): string {
  return `${prefix}:quota:last-sweep`;
}

// Usage rows locked per repair transaction: ingest of those people waits meanwhile, so keep it short.
const REPAIR_CHUNK = 100;

/**
 * The safety net: recomputes usage from the envelopes table, repairs drift, and enqueues every
 * person over their limit or with an unfinished erase. Whatever was missed (Redis down, a hub
 * killed before its jobs reached Redis) is found here.
 */
@Injectable()
export class SweepService {
  private readonly log = new Logger(SweepService.name);

  constructor(
    private readonly quota: QuotaRepository,
    private readonly queue: QuotaQueue,
    private readonly metrics: QuotaMetrics,
    private readonly envelopes: EnvelopeRepository,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  @OnQuotaJob('quota.sweep')
  async sweepAll(_payload: Record<string, never>): Promise<number> {
    const regions = await this.quota.regionIds();
    // for queueHealth.lastSweepAt; best effort, on the queue's own connection (none without Redis: then unknown)
    await this.queue.connection?.set(lastSweepKey(this.config.REDIS_PREFIX), String(Date.now())).catch(() => undefined);
    await this.queue.enqueue(regions.map((regionId): QuotaJob => ({ name: 'quota.sweep-region', data: { regionId } })));
    return regions.length;
  }

  @OnQuotaJob('quota.sweep-region')
  sweepRegionJob(job: RegionJob): Promise<SweepReport> {
    return this.sweep(job.regionId);
  }

  async sweep(regionId: number): Promise<SweepReport> {
    const started = performance.now();
    const findings = await this.quota.sweepFindings(regionId);
    let repaired = 0;
    for (let i = 0; i < findings.drifted.length; i += REPAIR_CHUNK) {
      repaired += (await this.quota.repairUsage(regionId, findings.drifted.slice(i, i + REPAIR_CHUNK))).length;
    }
    if (repaired) this.metrics.repairs.inc(repaired);
    const over = await this.quota.overLimit(regionId);
    const erase = new Set(findings.erasePending);
    const jobs: QuotaJob[] = [
      ...[...erase].map((person): QuotaJob => ({ name: 'quota.erase', data: { regionId, person } })),
      ...over.filter((p) => !erase.has(p)).map((person): QuotaJob => ({ name: 'quota.evaluate', data: { regionId, person } })),
    ];
    const queued = await this.queue.enqueue(jobs);
    const purged = await this.envelopes.purgeRemoved(regionId, this.config.REMOVAL_RETENTION_SECONDS);
    const report: SweepReport = {
      regionId,
      scanned: findings.scanned,
      suspects: findings.drifted.length,
      repaired,
      overLimit: over.length,
      erasePending: erase.size,
      purged,
      queued,
      ms: Math.round(performance.now() - started),
    };
    if (repaired || jobs.length || purged) this.log.log({ msg: 'quota sweep', ...report });
    return report;
  }
}
