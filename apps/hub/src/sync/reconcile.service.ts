import { Injectable, Logger } from '@nestjs/common';
import { base58Decode } from '@kiki/crypto';
import { NegentropyServer, ReconcileProtocolError, ReconIndex } from '@kiki/sync';
import { EnvelopeRepository } from '@kiki/storage';
import { HubError } from '../common/errors';
import { HubMetrics } from '../health/metrics';
import type { StoredNotice } from '../ingest/stored-notice';
import type { RegionContext } from '../regions/region.service';

interface RegionIndex {
  index: ReconIndex;
  lastSeq: number;
  /** one catch-up at a time per region */
  catchingUp: Promise<void> | null;
}

const CATCH_UP_PAGE = 50_000;
export const MAX_RECONCILE_MESSAGE_BYTES = 512 * 1024;
export const RECONCILE_FRAME_LIMIT = 256 * 1024;

/**
 * Range-based set reconciliation (negentropy V1) over (envelope timestamp, id) of every envelope
 * a region ever accepted, tombstones included. Each process keeps an in-memory index per region
 * with cached range sums, brought up to date from Postgres by sequence number before each answer:
 * the set only grows and seq is commit-ordered, so "seq > last seen" catches up exactly.
 */
@Injectable()
export class ReconcileService {
  private readonly log = new Logger(ReconcileService.name);
  private readonly regions = new Map<number, RegionIndex>();

  constructor(
    private readonly envelopes: EnvelopeRepository,
    private readonly metrics: HubMetrics,
  ) {}

  /**
   * After-commit follower (ingest/after-commit.ts): this process's own writes land in the index
   * at once, before their caller is answered; other processes' writes arrive by catch-up.
   */
  addStored({ region, envelopes }: StoredNotice): void {
    const r = this.regions.get(region.regionId);
    if (!r) return;
    for (const e of envelopes) r.index.insert(e.tsMs, base58Decode(e.id));
  }

  async reconcile(region: RegionContext, message: Buffer): Promise<Buffer> {
    if (!Buffer.isBuffer(message) || message.length === 0) {
      throw new HubError('INVALID_MESSAGE', 'send the negentropy message as the request body with Content-Type: application/octet-stream');
    }
    if (message.length > MAX_RECONCILE_MESSAGE_BYTES) {
      throw new HubError('TOO_LARGE', `a reconciliation message may be at most ${MAX_RECONCILE_MESSAGE_BYTES} bytes`);
    }
    const index = await this.indexFor(region);
    let out: Uint8Array;
    try {
      out = new NegentropyServer(index, { frameSizeLimit: RECONCILE_FRAME_LIMIT, maxMessageBytes: MAX_RECONCILE_MESSAGE_BYTES }).reconcile(
        new Uint8Array(message.buffer, message.byteOffset, message.byteLength),
      );
    } catch (err) {
      if (err instanceof ReconcileProtocolError) throw new HubError('INVALID_MESSAGE', `the reconciliation message is malformed: ${err.message}`);
      throw err;
    }
    this.metrics.reconcileRounds.inc();
    this.metrics.reconcileBytes.inc({ direction: 'in' }, message.length);
    this.metrics.reconcileBytes.inc({ direction: 'out' }, out.length);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }

  /** The region's index, caught up with every committed row. */
  async indexFor(region: RegionContext): Promise<ReconIndex> {
    let r = this.regions.get(region.regionId);
    if (!r) {
      r = { index: new ReconIndex(), lastSeq: 0, catchingUp: null };
      this.regions.set(region.regionId, r);
    }
    while (r.catchingUp) await r.catchingUp;
    const latest = await this.envelopes.lastSeq(region.regionId);
    if (latest > r.lastSeq) {
      r.catchingUp = this.catchUp(region.regionId, r, latest).finally(() => {
        r!.catchingUp = null;
      });
      await r.catchingUp;
    }
    return r.index;
  }

  private async catchUp(regionId: number, r: RegionIndex, until: number): Promise<void> {
    const started = Date.now();
    let added = 0;
    while (r.lastSeq < until) {
      const rows = await this.envelopes.reconRowsAfter(regionId, r.lastSeq, CATCH_UP_PAGE);
      if (rows.length === 0) break;
      for (const row of rows) r.index.insert(row.tsMs, row.id);
      added += rows.length;
      r.lastSeq = rows[rows.length - 1].seq;
    }
    // Sequence numbers of rejected duplicates leave gaps; the counter is the true high-water mark.
    r.lastSeq = Math.max(r.lastSeq, until);
    if (added > 1000) this.log.log({ msg: 'reconciliation index caught up', regionId, added, ms: Date.now() - started });
  }
}
