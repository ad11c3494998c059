import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  base58Decode,
  cachedId,
  cachedTimestampMs,
  type Envelope,
  EnvelopeParseError,
  isAction,
  KikiCryptoError,
  type Letter,
  parseEnvelope,
  parseTimestamp,
  sealedLetterBytes,
} from '@kiki/crypto';
import { EnvelopeRepository, type EnvelopeRow, type RemovedReason } from '@kiki/storage';
import { HubConfig } from '../config/hub-config';
import type { HubErrorCode } from '../common/errors';
import type { RegionContext } from '../regions/region.service';
import { HubMetrics } from '../health/metrics';

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

export interface StoredNotice {
  region: RegionContext;
  envelopes: Array<{ id: string; seq: number; tsMs: number; sender: string; size: number; purpose: string | null }>;
}

/** Called after a batch commits: reconciliation index, quota jobs, subscriptions. */
export type AfterCommitListener = (notice: StoredNotice) => void | Promise<void>;

// Public action contents are short (a key, an id, a name); longer ones are not kept in clear.
const MAX_PUBLIC_CONTENT = 4096;

/**
 * The one ingest path used by every route: strict parse → limits → region signature →
 * public-letter checks → idempotent insert by (region, id) with usage, committed per batch.
 */
@Injectable()
export class IngestService {
  private readonly log = new Logger(IngestService.name);
  private readonly listeners: AfterCommitListener[] = [];

  constructor(
    private readonly envelopes: EnvelopeRepository,
    @Inject(HubConfig) private readonly config: HubConfig,
    private readonly metrics: HubMetrics,
  ) {}

  onStored(listener: AfterCommitListener): void {
    this.listeners.push(listener);
  }

  async ingest(region: RegionContext, items: unknown[], route: string): Promise<IngestResult[]> {
    const results: IngestResult[] = new Array(items.length);
    const rows: Array<{ index: number; row: EnvelopeRow; id: string }> = [];
    const now = Date.now();
    const seen = new Map<string, number>();

    items.forEach((item, index) => {
      const checked = this.check(region, item, now);
      if ('code' in checked) {
        results[index] = { index, status: 'rejected', ...checked };
        return;
      }
      const first = seen.get(checked.id);
      if (first !== undefined) {
        results[index] = { index, id: checked.id, status: 'duplicate', reason: `same id as item ${first} of this batch` };
        return;
      }
      seen.set(checked.id, index);
      rows.push({ index, row: checked.row, id: checked.id });
    });

    if (rows.length) {
      const outcome = await this.envelopes.insertBatch(region.regionId, rows.map((r) => r.row));
      const stored: StoredNotice['envelopes'] = [];
      for (const { index, row, id } of rows) {
        const hex = row.id.toString('hex');
        const seq = outcome.stored.get(hex);
        if (seq !== undefined) {
          results[index] = { index, id, status: 'stored' };
          stored.push({ id, seq, tsMs: row.tsMs, sender: row.sender, size: row.size, purpose: row.purpose });
        } else if (outcome.existing.get(hex)) {
          const why = outcome.existing.get(hex) as RemovedReason;
          results[index] = { index, id, status: 'rejected', code: 'TOMBSTONED', reason: removedText(why), removedReason: why };
        } else {
          results[index] = { index, id, status: 'duplicate', reason: 'the hub already holds this envelope' };
        }
      }
      if (stored.length) await this.notify({ region, envelopes: stored });
    }
    this.metrics.countIngest(route, results);
    return results;
  }

  private async notify(notice: StoredNotice): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(notice);
      } catch (err) {
        // Listeners only do follow-up work (indexes, jobs); the rows are already committed.
        this.log.error({ msg: 'after-commit listener failed', err: String(err) });
      }
    }
  }

  private check(
    region: RegionContext,
    item: unknown,
    now: number,
  ): { id: string; row: EnvelopeRow } | { id?: string; code: HubErrorCode; reason: string; field?: string } {
    let env: Envelope;
    try {
      env = parseEnvelope(item, region.limits);
    } catch (err) {
      if (err instanceof EnvelopeParseError) {
        const id = typeof (item as { id?: unknown })?.id === 'string' ? ((item as { id: string }).id.slice(0, 64)) : undefined;
        const code: HubErrorCode = err.tooLarge ? 'TOO_LARGE' : 'INVALID_ENVELOPE';
        return { id, code, reason: err.message, field: err.field };
      }
      throw err;
    }
    const id = env.id;
    const tsMs = cachedTimestampMs(env) ?? parseTimestamp(env.timestamp).ms;
    if (tsMs < 0) {
      // the reconciliation order is unsigned, as in negentropy; kiki itself dates from 2018
      return { id, code: 'INVALID_ENVELOPE', field: 'timestamp', reason: `timestamp ${env.timestamp} is before 1970` };
    }
    if (tsMs > now + this.config.MAX_FUTURE_SKEW_SECONDS * 1000) {
      return { id, code: 'FUTURE_TIMESTAMP', field: 'timestamp', reason: `timestamp ${env.timestamp} is more than ${this.config.MAX_FUTURE_SKEW_SECONDS} s in the future` };
    }
    try {
      region.validator.validate(env);
    } catch (err) {
      if (err instanceof KikiCryptoError) {
        return {
          id,
          code: err.code as HubErrorCode,
          field: 'signature',
          reason: err.code === 'REGION_AS_SENDER' ? 'the region key cannot send envelopes' : `the signature does not validate for region ${region.publicKey} (made for another region, or copied)`,
        };
      }
      throw err;
    }

    // Public letters are sealed to the region key too, so the hub can open and check them.
    let letter: Letter | null = null;
    let idValid = true;
    try {
      const opened = region.opener.tryOpen(env);
      if (opened) ({ letter, idValid } = opened);
    } catch (err) {
      if (err instanceof KikiCryptoError) {
        return { id, code: 'INVALID_ENVELOPE', field: 'sealed_letter', reason: `the letter sealed to the region does not open as a kiki letter: ${err.message}` };
      }
      throw err;
    }
    if (!idValid) {
      return { id, code: 'ID_MISMATCH', field: 'id', reason: 'the id is not the hash of the public letter it carries' };
    }
    const content = letter?.content ?? '';
    return {
      id,
      row: {
        id: cachedId(env) ?? Buffer.from(base58Decode(id)),
        tsMs,
        timestamp: env.timestamp,
        sender: env.sender.public,
        signature: env.signature,
        sealedRecipients: env.sealed_recipients,
        sealedLetter: sealedLetterBytes(env),
        size: env.sealed_letter.length,
        purpose: letter?.purpose ?? null,
        firstId: letter ? letter.first_id || id : null,
        replyTo: letter?.reply_to || null,
        publicContent: letter && isAction(letter.purpose) && content.length <= MAX_PUBLIC_CONTENT ? content : null,
        countsTowardQuota: !(letter && isAction(letter.purpose)),
      },
    };
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
