import {
  base58Decode,
  cachedId,
  cachedTimestampMs,
  type Envelope,
  type EnvelopeLimits,
  EnvelopeParseError,
  isAction,
  isCanonicalPublicKey,
  KikiCryptoError,
  type Letter,
  type Opener,
  parseEnvelope,
  parseKey32,
  parseTimestamp,
  type RegionValidator,
  sealedLetterBytes,
  verifyEnvelopeV2,
} from '@kiki/crypto';
import { type EnvelopeRow, isStorableText, type SenderPolicy } from '@kiki/storage';
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
  /** the hub's own identity in the region: never accepted as a sender from outside */
  hub: { public: string };
  validator: RegionValidator;
  opener: Opener;
  limits: EnvelopeLimits;
  senderPolicy: SenderPolicy;
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
/** Action contents are bounded (what keeps actions small enough to be free: FREE_ACTION_MAX_SIZE). */
export const MAX_NAME_CHARS = 200;
export const MAX_PROFILE_CHARS = 2000;

/** Whether a letter's first_id/reply_to is set and is not an id (the envelope's own id always is). */
function notAnId(value: string | undefined, ownId: string): boolean {
  return !!value && value !== ownId && !parseKey32(value).ok;
}

/** The envelope id an action-assign/image names: the text after its last '/'. */
export function imageIdText(content: string): string {
  return content.slice(content.lastIndexOf('/') + 1);
}

function isKey(text: string): boolean {
  const parsed = parseKey32(text);
  return parsed.ok && isCanonicalPublicKey(parsed.bytes);
}

/**
 * What sealing checks, applied to a public letter the hub opened (the original client trusted
 * them all: a malformed or public share-key stopped its decryption or deleted someone's letters).
 * null when the letter is fine, else why not.
 */
export function letterProblem(letter: Letter, env: Envelope, regionPublic: string): string | null {
  const to = letter.to ?? [];
  if (to[0] !== env.sender.public) return "the letter's `to` must start with its sender, as sealing writes it";
  if (!to.every(isKey)) return "every entry of the letter's `to` must be a public key";
  if (!to.includes(regionPublic)) return "a letter sealed to the region must name the region key in its `to`";
  if (letter.purpose === 'share-key') return 'a share-key letter must never be public: it would hand the friends key to everyone';
  if (!isAction(letter.purpose)) return null;
  const content = letter.content ?? '';
  // an edit of an action with empty content withdraws it (an unfollow)
  if (content === '' && letter.first_id && letter.first_id !== env.id) return null;
  switch (letter.purpose) {
    case 'action-follow':
    case 'action-block':
      return isKey(content) ? null : `${letter.purpose} content must be the public key followed or blocked`;
    case 'action-like':
      return notAnId(content, '') || content === '' ? 'action-like content must be an envelope id (base58 of 32 bytes)' : null;
    case 'action-assign/image': {
      // the original writes the image letter's id behind a path: "../kiki/<id>"
      const id = imageIdText(content);
      return content.length > MAX_NAME_CHARS || id === '' || notAnId(id, '') ? 'action-assign/image content must name an image envelope id (base58 of 32 bytes, optionally after a path like ../kiki/)' : null;
    }
    case 'action-erase':
      return content === '' ? null : 'action-erase content must be empty';
    case 'action-assign/name':
      return content.length <= MAX_NAME_CHARS && isStorableText(content) ? null : `action-assign/name content must be text of at most ${MAX_NAME_CHARS} characters`;
    case 'action-assign/profile':
      return content.length <= MAX_PROFILE_CHARS && isStorableText(content) ? null : `action-assign/profile content must be text of at most ${MAX_PROFILE_CHARS} characters`;
    default:
      return null;
  }
}

/** Strict parse → limits → timestamp window → senders → signatures (v1, v2) → public-letter checks. */
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
  if (env.sender.public === region.hub.public) {
    return { id, code: 'HUB_AS_SENDER', field: 'sender.public', reason: "the hub's own identity in this region never sends envelopes: this one was forged" };
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

  // v2: a present signature is always checked, whatever the region's policy.
  const proven = env.signature_v2 !== undefined;
  if (proven && !verifyEnvelopeV2(env)) {
    return { id, code: 'BAD_SIGNATURE', field: 'signature_v2', reason: "signature_v2 is not the sender's signature of this envelope (forged, copied, or a field was changed)" };
  }
  if (!proven && region.senderPolicy === 'v2-required') {
    return { id, code: 'V2_REQUIRED', field: 'signature_v2', reason: 'this region stores only envelope v2: the sender must sign it (signature_v2)' };
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
    const problem = letterProblem(letter, env, region.publicKey);
    if (problem) return { id, code: 'INVALID_LETTER', field: 'sealed_letter', reason: problem };
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
      signatureV2: proven ? (env.signature_v2 as string) : null,
      sealedRecipients: env.sealed_recipients,
      sealedLetter: sealedLetterBytes(env),
      size: env.sealed_letter.length,
      purpose: letter?.purpose ?? null,
      firstId: letter ? letter.first_id || id : null,
      replyTo: letter?.reply_to || null,
      // content Postgres cannot hold (NUL, lone surrogates) stays only in the sealed letter
      publicContent: letter && isAction(letter.purpose) && content.length <= MAX_PUBLIC_CONTENT && isStorableText(content) ? content : null,
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
