import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one process, served at GET /metrics. */
@Injectable()
export class HubMetrics {
  readonly registry = new Registry();

  readonly ingested = new Counter({
    name: 'kiki_hub_envelopes_ingested_total',
    help: 'Envelopes submitted, by route and outcome',
    labelNames: ['route', 'status', 'code'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'kiki_hub_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  readonly reconcileRounds = new Counter({
    name: 'kiki_hub_reconcile_rounds_total',
    help: 'Reconciliation messages answered',
    registers: [this.registry],
  });

  readonly reconcileBytes = new Counter({
    name: 'kiki_hub_reconcile_bytes_total',
    help: 'Reconciliation bytes by direction',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: 'kiki_hub_auth_failures_total',
    help: 'Refused sync tokens by reason code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly replayCacheFallbacks = new Counter({
    name: 'kiki_hub_replay_cache_fallbacks_total',
    help: 'Sync-token nonces recorded in Postgres because Redis was unreachable',
    registers: [this.registry],
  });

  readonly graphqlPageCache = new Counter({
    name: 'kiki_hub_graphql_page_cache_total',
    help: 'GraphQL envelope pages answered from the page cache (hit) or read from Postgres (miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly afterCommitFailures = new Counter({
    name: 'kiki_hub_after_commit_failures_total',
    help: 'After-commit work that failed (the batch stays stored), by follower (ingest/after-commit.ts)',
    labelNames: ['follower'] as const,
    registers: [this.registry],
  });

  // availability (docs/reliability.md)
  readonly bodyBytesBuffered = new Gauge({
    name: 'kiki_hub_body_bytes_buffered',
    help: 'Bytes reserved for request bodies being read right now (bounded by BODY_BUFFER_TOTAL_MB)',
    registers: [this.registry],
  });

  readonly bodiesRefused = new Counter({
    name: 'kiki_hub_bodies_refused_total',
    help: 'Request bodies refused before or while reading, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'kiki_hub_rate_limited_total',
    help: 'Requests refused with 429 (GraphQL: RATE_LIMITED), by limit',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly wsRefused = new Counter({
    name: 'kiki_hub_ws_refused_total',
    help: 'WebSocket connections refused or closed by the hub, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'kiki_hub_' });
  }

  /** One increment per distinct outcome, not per envelope (labelled increments cost ~µs each). */
  /** `results`: IngestService's answers (IngestResult), described by shape so health/ does not import ingest/. */
  countIngest(route: string, results: ReadonlyArray<{ status: string; code?: string }>): void {
    const counts = new Map<string, number>();
    for (const r of results) {
      const key = `${r.status}\u0000${r.code ?? ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, n] of counts) {
      const [status, code] = key.split('\u0000');
      this.ingested.inc({ route, status, code }, n);
    }
  }
}
