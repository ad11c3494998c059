import {
  base58Decode,
  base58DecodeExact,
  cachedId,
  cachedTimestampMs,
  type Envelope,
  type EnvelopeLimits,
  EnvelopeParseError,
  isAction,
  KikiCryptoError,
  type Letter,
  type Opener,
  parseEnvelope,
  parseTimestamp,
  type RegionValidator,
  sealedLetterBytes,
} from '@kiki/crypto';
import { type EnvelopeRow, isStorableText } from '@kiki/storage';
import type { HubErrorCode } from '../common/errors';

/**
 * The CPU half of ingest: every check an envelope passes before it may be stored, as pure
 * functions of (region keys, item, clock).
 * (Tried: checking in worker threads. On this 2-core machine it cost more than it freed:
 * structured cloning of the batch raised hub CPU from ~65-105 to ~105-155 µs per envelope and
 * ingest fell from 13,900-15,700/s to 8,700-10,300/s, private letters.)
 */

/** What checking needs of a region (RegionContext has it). */
export interface CheckRegion {
  publicKey: string;
  validator: RegionValidator;
  opener: Opener;
  limits: EnvelopeLimits;
}

export interface Rejection {
  id?: string;
  code: HubErrorCode;
  reason: string;
  field?: string;
}

/** One item of a checked batch: rejected, a repeat of an earlier item, or a row to store. */
export type CheckedItem =
  | ({ kind: 'rejected' } & Rejection)
  | { kind: 'repeat'; id: string; first: number }
  | { kind: 'row'; id: string; row: EnvelopeRow };

// Public action contents are short (a key, an id, a name); longer ones are not kept in clear.
const MAX_PUBLIC_CONTENT = 4096;

const ID_BYTES = 32;

/** Whether a letter's first_id/reply_to is set and is not an id (the envelope's own id always is). */
function notAnId(value: string | undefined, ownId: string): boolean {
  if (!value || value === ownId) return false;
  try {
    base58DecodeExact(value, ID_BYTES);
    return false;
  } catch {
    return true;
  }
}

/** Strict parse → limits → timestamp window → region signature → public-letter checks. */
export function checkEnvelope(region: CheckRegion, item: unknown, now: number, maxFutureSkewSeconds: number): { id: string; row: EnvelopeRow } | Rejection {
  let env: Envelope;
  try {
    env = parseEnvelope(item, region.limits);
  } catch (err) {
    if (err instanceof EnvelopeParseError) {
      const id = typeof (item as { id?: unknown })?.id === 'string' ? (item as { id: string }).id.slice(0, 64) : undefined;
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
  if (tsMs > now + maxFutureSkewSeconds * 1000) {
    return { id, code: 'FUTURE_TIMESTAMP', field: 'timestamp', reason: `timestamp ${env.timestamp} is more than ${maxFutureSkewSeconds} s in the future` };
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
  if (letter) {
    // kiki sets both to envelope ids; the hub keeps them as columns (eviction order, threads),
    // so anything else is refused here rather than stored or failing the batch's statement.
    const bad = notAnId(letter.first_id, id) ? 'first_id' : notAnId(letter.reply_to, id) ? 'reply_to' : null;
    if (bad) {
      return { id, code: 'INVALID_ENVELOPE', field: 'sealed_letter', reason: `the letter's ${bad} is not an envelope id (base58 of 32 bytes)` };
    }
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
      // content Postgres cannot hold (NUL, lone surrogates) stays only in the sealed letter
      publicContent: letter && isAction(letter.purpose) && content.length <= MAX_PUBLIC_CONTENT && isStorableText(content) ? content : null,
      countsTowardQuota: !(letter && isAction(letter.purpose)),
    },
  };
}

/** Checks a batch in order; an id seen earlier in the batch is a repeat of that item. */
export function checkBatch(region: CheckRegion, items: unknown[], now: number, maxFutureSkewSeconds: number): CheckedItem[] {
  const seen = new Map<string, number>();
  return items.map((item, index): CheckedItem => {
    const checked = checkEnvelope(region, item, now, maxFutureSkewSeconds);
    if ('code' in checked) return { kind: 'rejected', ...checked };
    const first = seen.get(checked.id);
    if (first !== undefined) return { kind: 'repeat', id: checked.id, first };
    seen.set(checked.id, index);
    return { kind: 'row', id: checked.id, row: checked.row };
  });
}
