/** The envelope: sealing (kiki v1, PROTOCOL.md "Sealing, in order"), ids and timestamps. */
import { hash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import sodium from 'sodium-native';
import { base58DecodeExact, base58Encode } from './base58';
import { cachedId } from './decoded';
import { EnvelopeParseError, KeyError, LetterError, SignatureError } from './errors';
import { decodeKeyPair, decodePublicKey, keyPairFromJson, type KeyPair } from './keys';
import { isAction, isPurpose, letterToJson, type Letter, type Purpose } from './letter';
import { resolveLimits, type EnvelopeLimits } from './limits';
import { boxBeforeNm } from './shared-key';

export interface Envelope {
  id: string;
  timestamp: string;
  sender: { public: string };
  signature: string;
  sealed_recipients: string[];
  sealed_letter: string;
}

export interface SealInput {
  purpose: Purpose;
  content?: string;
  first_id?: string;
  reply_to?: string;
  /** Resolved public keys (region public for 'public', friends keys, persons); the sender is added first automatically, duplicates removed. */
  recipients: string[];
}

export interface SealOptions {
  /** Sealing time (default: now). */
  now?: Date;
  /** Refuse to produce what parseEnvelope with these limits would refuse (default DEFAULT_LIMITS). */
  limits?: Partial<EnvelopeLimits>;
}

const NONCE = 24;
const MAC = 16;
const ID_BYTES = 32;

/**
 * The kiki v1 id, as the original computes it (reproduced for all 19 vectors):
 * base58(SHA-256(senderPublic ‖ purpose ‖ content ‖ firstId ‖ replyTo ‖ to.join(','))), UTF-8,
 * no separators between fields. `to` is the resolved list as sealed in the letter, sender
 * first, plain keys joined with ','. `firstId` is the value *before* step 2 of sealing: ''
 * for an original letter (whose sealed first_id then becomes this id), the first id of the
 * post for an edit.
 */
export function computeId(
  senderPublic: string,
  purpose: string,
  content: string,
  firstId: string,
  replyTo: string,
  to: string[],
): string {
  return base58Encode(hash('sha256', idInput(senderPublic, purpose, content, firstId, replyTo, to), 'buffer'));
}

/** What the id hashes (UTF-8). node:crypto rather than libsodium: OpenSSL uses SHA-NI, ~4x faster here. */
function idInput(senderPublic: string, purpose: string, content: string, firstId: string, replyTo: string, to: string[]): string {
  return senderPublic + purpose + content + firstId + replyTo + to.join(',');
}

/**
 * Whether `env.id` is the id of `letter` (which must be the letter sealed in `env`). A letter
 * whose first_id is its own id was an original (hashed with an empty first_id); any other
 * first_id was already set when it was sealed, i.e. it is an edit.
 */
export function verifyId(env: Pick<Envelope, 'id' | 'sender'>, letter: Letter): boolean {
  let id: Buffer;
  try {
    id = cachedId(env) ?? base58DecodeExact(env.id, ID_BYTES, 'id');
  } catch {
    return false;
  }
  const firstId = !letter.first_id || letter.first_id === env.id ? '' : letter.first_id;
  // As 'binary' (latin1) text, one char per byte: no Buffer, so no ArrayBuffer, per verified letter.
  const input = idInput(env.sender.public, letter.purpose, letter.content ?? '', firstId, letter.reply_to ?? '', letter.to ?? []);
  return hash('sha256', input, 'binary') === id.toString('binary');
}

/** kiki box: 24 random nonce bytes followed by secretbox(msg) under a (precomputed) key. */
function secretSealTo(msg: Uint8Array, key: Buffer): Buffer {
  const out = Buffer.alloc(NONCE + MAC + msg.length);
  const nonce = out.subarray(0, NONCE);
  sodium.randombytes_buf(nonce);
  sodium.crypto_secretbox_easy(out.subarray(NONCE), msg as Buffer, nonce, key);
  return out;
}

function optionalText(v: unknown, name: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new LetterError(`${name} must be a string`);
  return v;
}

function optionalId(v: string, name: string): void {
  if (v === '') return;
  try {
    base58DecodeExact(v, ID_BYTES, name);
  } catch {
    throw new LetterError(`${name} must be an envelope id (base58 of 32 bytes)`);
  }
}

/**
 * The two addressing rules whose breach harms original clients: actions are always public, and a
 * share-key is never public and always a well-formed keypair (the original deleted the key
 * owner's letters on a public share-key, and stopped decrypting on a malformed one). Other
 * content is the feed's business: it must cope with junk from other senders anyway.
 */
function checkAddressing(purpose: Purpose, content: string, recipients: string[], regionPublic: string): void {
  const toRegion = recipients.includes(regionPublic);
  if (isAction(purpose) && !toRegion) {
    throw new LetterError(`${purpose} letters are always public: recipients must include the region key`);
  }
  if (purpose === 'share-key') {
    if (toRegion) throw new LetterError('share-key letters must never be public');
    try {
      keyPairFromJson(content, 'content');
    } catch (e) {
      throw new LetterError(`share-key content must be a JSON keypair: ${(e as Error).message}`);
    }
  }
}

/**
 * Seals a letter (PROTOCOL.md, "Sealing, in order"). Throws LetterError for an invalid letter,
 * KeyError for a bad key, SignatureError(REGION_AS_SENDER) when the sender is the region.
 */
export function seal(input: SealInput, sender: KeyPair, regionPublic: string, opts: SealOptions = {}): Envelope {
  const limits = resolveLimits(opts.limits);
  if (input === null || typeof input !== 'object') throw new LetterError('seal input must be an object');
  if (!isPurpose(input.purpose)) throw new LetterError(`purpose ${JSON.stringify(input.purpose)} is not one of kiki's purposes`);
  const purpose = input.purpose;
  const content = optionalText(input.content, 'content');
  const firstId = optionalText(input.first_id, 'first_id');
  const replyTo = optionalText(input.reply_to, 'reply_to');
  optionalId(firstId, 'first_id');
  optionalId(replyTo, 'reply_to');

  const regionPk = decodePublicKey(regionPublic, 'regionPublic');
  if (!Array.isArray(input.recipients)) throw new LetterError('recipients must be an array of public keys');
  const senderPk = decodePublicKey(sender?.public, 'sender.public');
  // Resolved list, sender first, duplicates removed; `fields` remembers where each came from.
  const to = [sender.public];
  const toKeys = [senderPk];
  const fields = ['sender.public'];
  const seen = new Set(to);
  input.recipients.forEach((r, i) => {
    const field = `recipients[${i}]`;
    const pk = decodePublicKey(r, field);
    if (!seen.has(r)) {
      seen.add(r);
      to.push(r);
      toKeys.push(pk);
      fields.push(field);
    }
  });
  if (to.length > limits.maxRecipients) {
    throw new LetterError(`${to.length} recipients (sender included) exceed the limit of ${limits.maxRecipients}`);
  }
  if (sender.public === regionPublic) {
    throw new SignatureError('REGION_AS_SENDER', 'the region key cannot be a sender');
  }
  checkAddressing(purpose, content, to, regionPublic);
  const timestamp = formatTimestamp(opts.now ?? new Date());

  // 1-2. The id hashes the letter before first_id is filled in; an original is its own first version.
  const id = computeId(sender.public, purpose, content, firstId, replyTo, to);
  const letter: Letter = { purpose, to, content, first_id: firstId || id, reply_to: replyTo };

  const { sk } = decodeKeyPair(sender, 'sender');
  const k = Buffer.alloc(32);
  const shared = new Map<string, Buffer>();
  try {
    // 3. The letter, rawDEFLATEd (level 9 like Go's compress/flate) and sealed with a fresh key K.
    const compressed = deflateRawSync(Buffer.from(letterToJson(letter), 'utf8'), { level: 9 });
    sodium.randombytes_buf(k);
    const sealedLetter = secretSealTo(compressed, k);
    if (sealedLetter.length > limits.maxSealedLetterBytes) {
      throw new LetterError(
        `sealed letter of ${sealedLetter.length} bytes exceeds the limit of ${limits.maxSealedLetterBytes}`,
      );
    }

    // 4-5. K boxed to every recipient, sender first, then the v1 signature boxed to the region.
    // One shared key per peer: the region's serves both its recipient box and the signature.
    const sharedWith = (text: string, pk: Buffer, field: string): Buffer => {
      let key = shared.get(text);
      if (!key) {
        const computed = boxBeforeNm(pk, sk);
        if (!computed) throw new KeyError(field, 'low-order public key: no box can be sealed to it');
        key = computed;
        shared.set(text, key);
      }
      return key;
    };
    const sealedRecipients = to.map((text, i) => base58Encode(secretSealTo(k, sharedWith(text, toKeys[i], fields[i]))));
    const signature = base58Encode(
      secretSealTo(Buffer.from(sender.public, 'utf8'), sharedWith(regionPublic, regionPk, 'regionPublic')),
    );
    // 6. The timestamp was taken above; fields in the order the original writes them.
    return {
      id,
      timestamp,
      sender: { public: sender.public },
      signature,
      sealed_recipients: sealedRecipients,
      sealed_letter: sealedLetter.toString('base64'),
    };
  } finally {
    // K and the shared keys are the only secrets made here; the caller owns `sender`.
    sodium.sodium_memzero(k);
    sodium.sodium_memzero(sk);
    for (const key of shared.values()) sodium.sodium_memzero(key);
  }
}

/**
 * RFC 3339 UTC text with nanoseconds, as the original writes (`2026-11-24T15:58:05.536000000Z`).
 * Always nine digits so that our timestamps sort correctly as text (Go trims trailing zeros,
 * which makes `05.5Z` sort after `05.536Z`).
 */
export function formatTimestamp(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new LetterError('invalid sealing time');
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ for years 0..9999
  if (iso.length !== 24) throw new LetterError('sealing time outside years 0000..9999');
  return `${iso.slice(0, 23)}000000Z`;
}

const TIMESTAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const MAX_TIMESTAMP_CHARS = 35; // 2026-11-24T15:58:05.123456789+01:00

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * Parses RFC 3339 (`Z` or ±hh:mm, fraction of up to 9 digits) and normalizes it to UTC `Z`
 * text keeping the fraction digits as given (the original sorts timestamps as text, so every
 * stored one must be in the same zone). `ms` is milliseconds since the epoch (fraction truncated).
 * Throws EnvelopeParseError(field 'timestamp').
 */
export function parseTimestamp(text: string): { ms: number; normalized: string } {
  const fail = (reason: string): never => {
    throw new EnvelopeParseError('timestamp', reason);
  };
  if (typeof text !== 'string') fail('expected an RFC 3339 timestamp string');
  if (text.length > MAX_TIMESTAMP_CHARS) fail(`${text.length} characters cannot be an RFC 3339 timestamp (at most ${MAX_TIMESTAMP_CHARS})`);
  const m = TIMESTAMP_RE.exec(text);
  if (!m) fail('not an RFC 3339 timestamp like 2026-11-24T15:58:05.536438035Z');
  const [, ys, mos, ds, hs, mis, ss, frac = '', sign, ohs, oms] = m as RegExpExecArray;
  const y = +ys;
  const mo = +mos;
  const d = +ds;
  const h = +hs;
  const mi = +mis;
  const s = +ss;
  if (mo < 1 || mo > 12) fail(`month ${mos} does not exist`);
  if (d < 1 || d > daysInMonth(y, mo)) fail(`day ${ds} does not exist in ${ys}-${mos}`);
  if (h > 23) fail(`hour ${hs} does not exist`);
  if (mi > 59) fail(`minute ${mis} does not exist`);
  if (s > 59) fail(`second ${ss} is not supported (leap seconds are not)`);
  let offset = 0;
  if (sign) {
    const oh = +ohs;
    const om = +oms;
    if (oh > 23 || om > 59) fail(`offset ${sign}${ohs}:${oms} does not exist`);
    offset = (sign === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const seconds = daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset;
  const ms = seconds * 1000 + (frac ? Math.floor(+frac.slice(0, 3).padEnd(3, '0')) : 0);
  // Already UTC with upper-case T and Z (what every kiki program writes): the text is its own
  // normal form, no need to rebuild it (~1 µs per envelope on ingest).
  if (!sign && text.charCodeAt(10) === 84 && text.charCodeAt(text.length - 1) === 90) return { ms, normalized: text };
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const [uy, um, ud] = civilFromDays(days);
  if (uy < 0 || uy > 9999) fail('outside years 0000..9999 once converted to UTC');
  const normalized =
    `${pad(uy, 4)}-${pad(um, 2)}-${pad(ud, 2)}T${pad(Math.floor(rest / 3600), 2)}:` +
    `${pad(Math.floor((rest % 3600) / 60), 2)}:${pad(rest % 60, 2)}${frac ? `.${frac}` : ''}Z`;
  return { ms, normalized };
}
