import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

/** Where the quota counters are served: the hub's /metrics registry (QuotaModule.forHub()), or null in `npm run worker`. */
export const QUOTA_METRICS_REGISTRY = Symbol('kiki:quota-metrics-registry');

/** Quota counters; served at /metrics by a hub process (a standalone worker only logs). */
@Injectable()
export class QuotaMetrics {
  readonly enqueued = new Counter({ name: 'kiki_hub_quota_jobs_enqueued_total', help: 'Quota jobs handed to Redis', labelNames: ['name'] as const, registers: [] });

  readonly enqueueFailures = new Counter({
    name: 'kiki_hub_quota_enqueue_failures_total',
    help: 'Quota jobs that could not reach Redis at once (kept and retried; the sweep covers the rest)',
    labelNames: ['name'] as const,
    registers: [],
  });

  readonly pending = new Gauge({ name: 'kiki_hub_quota_jobs_pending', help: 'Quota jobs held in memory while Redis is unreachable', registers: [] });

  readonly jobs = new Counter({ name: 'kiki_hub_quota_jobs_total', help: 'Quota job runs by name and outcome', labelNames: ['name', 'outcome'] as const, registers: [] });

  readonly evictions = new Counter({ name: 'kiki_hub_quota_evictions_total', help: 'Envelopes removed by the quota worker, by reason', labelNames: ['reason'] as const, registers: [] });

  readonly repairs = new Counter({ name: 'kiki_hub_quota_usage_repairs_total', help: 'Usage rows found different from their envelopes and corrected', registers: [] });

  constructor(@Inject(QUOTA_METRICS_REGISTRY) registry: Registry | null) {
    if (!registry) return;
    for (const m of [this.enqueued, this.enqueueFailures, this.pending, this.jobs, this.evictions, this.repairs] as Metric[]) registry.registerMetric(m);
  }
}
