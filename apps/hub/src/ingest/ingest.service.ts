import { Inject, Injectable } from '@nestjs/common';
import { base58Decode } from '@kiki/crypto';
import { countsTowardQuota, EnvelopeRepository, type EnvelopeRow, RegionRepository, type RemovedReason } from '@kiki/storage';
import { LRUCache } from 'lru-cache';
import { HubConfig } from '../config/hub-config';
import type { HubErrorCode } from '../common/errors';
import type { RegionContext } from '../regions/region.service';
import { HubMetrics } from '../health/metrics';
import { AfterCommit } from './after-commit';
import { BatchInserter } from './batch-inserter';
import { type CheckedItem, checkBatch } from './check';

/**
 * Rows per merged insert statement. Merging pays for small inserts (each statement costs a lock,
 * a commit, a WAL flush and a round trip: ~1.5 ms of Postgres time); a full push gains little
 * (that cost is a few % of a 500-row statement) and would make every caller merged with it wait
 * for the longer statement. A larger push goes alone.
 */
const MERGE_ROWS = 100;

/** How long a process trusts its reading of a region's total (for max_total_bytes). */
const REGION_TOTAL_TTL_MS = 2000;

/**
 * How long a process remembers that a capped region counts a sender. An admin's recount (setting
 * max_unproven_senders again) can drop a sender; processes see that within this time.
 */
const KNOWN_SENDER_TTL_MS = 60_000;

export type IngestStatus = 'stored' | 'duplicate' | 'rejected';

export interface IngestResult {
  /** position in the submitted batch */
  index: number;
  /** the envelope id, when the input had a readable one */
  id?: string;
  status: IngestStatus;
  code?: HubErrorCode;
  reason?: string;
  field?: string;
  /** with code TOMBSTONED: why the hub removed it */
  removedReason?: RemovedReason;
}

/**
 * The one ingest path used by every route: strict parse → limits → region signature →
 * public-letter checks (check.ts) → idempotent insert by (region, id) with usage, one
 * self-committing statement per batch, small batches of a region that arrive together merged
 * into one (batch-inserter.ts). Each committed statement then goes through the after-commit
 * pipeline (after-commit.ts: reconciliation index, quota jobs, subscriptions).
 */
@Injectable()
export class IngestService {
  /** per region: its counted bytes as last read, advanced by what this process admitted since */
  private readonly regionTotals = new Map<number, { bytes: number; at: number }>();
  /** per region and sender: counted by a capped region already (value: proven), so no query is needed */
  private readonly knownSenders = new LRUCache<string, boolean>({ max: 100_000, ttl: KNOWN_SENDER_TTL_MS });
  /** A region's small inserts that arrive while its statements are in flight go in together (batch-inserter.ts). */
  private readonly inserter: BatchInserter<RegionContext>;

  constructor(
    private readonly envelopes: EnvelopeRepository,
    private readonly regions: RegionRepository,
    @Inject(HubConfig) private readonly config: HubConfig,
    private readonly metrics: HubMetrics,
    afterCommit: AfterCommit,
  ) {
    this.inserter = new BatchInserter<RegionContext>(envelopes, { maxRows: MERGE_ROWS, perRegion: 2 }, (region, stored) =>
      afterCommit.run({
        region,
        envelopes: stored.map(({ id, row, seq }) => ({ id, seq, tsMs: row.tsMs, sender: row.sender, size: row.size, purpose: row.purpose })),
      }),
    );
  }

  async ingest(region: RegionContext, items: unknown[], route: string): Promise<IngestResult[]> {
    const results: IngestResult[] = new Array(items.length);
    const rows: Array<{ index: number; row: EnvelopeRow; id: string }> = [];
    const checked = checkBatch(region, items, Date.now(), this.config.MAX_FUTURE_SKEW_SECONDS);
    await this.refuseForeignEdits(region, checked);
    await this.refusePastRegionCap(region, checked);
    await this.refuseUnprovenNewcomers(region, checked);
    checked.forEach((c, index) => {
      if (c.kind === 'rejected') {
        results[index] = { index, status: 'rejected', id: c.id, code: c.code, reason: c.reason, field: c.field };
      } else if (c.kind === 'repeat') {
        results[index] = { index, id: c.id, status: 'duplicate', reason: `same id as item ${c.first} of this batch` };
      } else {
        rows.push({ index, row: c.row, id: c.id });
      }
    });

    if (rows.length) {
      const outcomes = await this.inserter.insert(region, rows);
      rows.forEach(({ index, id }, i) => {
        const o = outcomes[i];
        if (o.kind === 'stored') results[index] = { index, id, status: 'stored' };
        else if (o.kind === 'tombstoned') {
          results[index] = { index, id, status: 'rejected', code: 'TOMBSTONED', reason: removedText(o.reason), removedReason: o.reason };
        } else results[index] = { index, id, status: 'duplicate', reason: 'the hub already holds this envelope' };
      });
    }
    this.metrics.countIngest(route, results);
    return results;
  }

  /**
   * Edits (a public letter whose first_id names another envelope) may replace only the sender's
   * own post, and only a proven (v2) edit may replace a proven post: the original client replaced
   * whatever post a first_id named. Checked against the region and the batch's earlier items;
   * an edit of a post the hub does not hold cannot be checked and is kept.
   */
  private async refuseForeignEdits(region: RegionContext, checked: CheckedItem[]): Promise<void> {
    const edits: number[] = [];
    checked.forEach((c, i) => {
      if (c.kind === 'row' && c.row.firstId && c.row.firstId !== c.id) edits.push(i);
    });
    const isEdit = new Set(edits);
    if (edits.length === 0) return;
    const targetOf = (i: number) => Buffer.from(base58Decode((checked[i] as { row: EnvelopeRow }).row.firstId as string));
    const held = await this.envelopes.editTargets(region.regionId, edits.map(targetOf));
    const inBatch = new Map<string, { sender: string; proven: boolean }>();
    checked.forEach((c, i) => {
      if (c.kind !== 'row') return;
      const hex = c.row.id.toString('hex');
      if (isEdit.has(i)) {
        const target = held.get(targetOf(i).toString('hex')) ?? inBatch.get(targetOf(i).toString('hex'));
        const problem = !target
          ? null
          : target.sender !== c.row.sender
            ? "its first_id names another sender's post: only the sender may edit a post"
            : target.proven && c.row.signatureV2 === null
              ? 'it edits a post proven by envelope v2, so the edit must carry a valid signature_v2 too'
              : null;
        if (problem) {
          checked[i] = { kind: 'rejected', id: c.id, code: 'EDIT_REFUSED', field: 'sealed_letter', reason: `edit refused: ${problem}` };
          return;
        }
      }
      if (!inBatch.has(hex)) inBatch.set(hex, { sender: c.row.sender, proven: c.row.signatureV2 !== null });
    });
  }

  /**
   * A region with max_total_bytes refuses what would take its counted bytes past the cap. The
   * total is read at most every REGION_TOTAL_TTL_MS per process and advanced by what this process
   * admits meanwhile, so the cap can be overshot only by what other processes store in that time
   * (and by envelopes that turn out to be already held).
   */
  private async refusePastRegionCap(region: RegionContext, checked: CheckedItem[]): Promise<void> {
    const cap = region.maxTotalBytes;
    if (cap === null || !checked.some((c) => c.kind === 'row')) return;
    let known = this.regionTotals.get(region.regionId);
    if (!known || Date.now() - known.at > REGION_TOTAL_TTL_MS) {
      known = { bytes: await this.regions.countedBytes(region.regionId), at: Date.now() };
      this.regionTotals.set(region.regionId, known);
    }
    checked.forEach((c, i) => {
      if (c.kind !== 'row') return;
      const bytes = countsTowardQuota(c.row.purpose, c.row.size) ? c.row.size : 0;
      if (bytes > 0 && known.bytes + bytes > cap) {
        checked[i] = { kind: 'rejected', id: c.id, code: 'REGION_FULL', reason: `this region holds as much as its operator allows (${cap} bytes): nothing more is stored until space is freed` };
      } else known.bytes += bytes;
    });
  }

  /**
   * A region with max_unproven_senders refuses an unproven envelope whose sender is neither proven
   * there nor already among its counted unproven senders once that many are counted, so minting
   * keys cannot fill the hub (docs/quotas.md, "Unproven-sender cap"). Counted in region_sender
   * with a counter on the region row (RegionRepository.admitSenders); senders this process has
   * seen counted are remembered, so a batch of known senders costs no query.
   */
  private async refuseUnprovenNewcomers(region: RegionContext, checked: CheckedItem[]): Promise<void> {
    if (region.maxUnprovenSenders === null) return;
    const ask = new Map<string, boolean>();
    for (const c of checked) {
      if (c.kind !== 'row') continue;
      const proven = c.row.signatureV2 !== null;
      const known = this.knownSenders.get(`${region.regionId}:${c.row.sender}`);
      if (known === true || (known === false && !proven)) continue;
      ask.set(c.row.sender, (ask.get(c.row.sender) ?? false) || proven);
    }
    if (ask.size === 0) return;
    const admissions = await this.regions.admitSenders(region.regionId, ask);
    for (const [sender, a] of admissions) if (a.admitted) this.knownSenders.set(`${region.regionId}:${sender}`, a.proven);
    checked.forEach((c, i) => {
      if (c.kind !== 'row') return;
      const a = admissions.get(c.row.sender);
      if (a && !a.admitted) {
        checked[i] = {
          kind: 'rejected',
          id: c.id,
          code: 'UNPROVEN_SENDERS_FULL',
          field: 'sender',
          reason: `this region counts as many unproven senders as its operator allows (${region.maxUnprovenSenders}): a new sender must prove itself with signature_v2 (envelope v2)`,
        };
      }
    });
  }
}

function removedText(reason: RemovedReason): string {
  switch (reason) {
    case 'quota':
      return "the hub removed this envelope to keep its sender within the region's storage quota";
    case 'erase':
      return 'its sender erased everything they had published';
    default:
      return 'an administrator removed this envelope';
  }
}
