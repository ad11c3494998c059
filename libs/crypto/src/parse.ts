/**
 * Strict parser for untrusted envelopes, used by every endpoint. Every refusal is an
 * EnvelopeParseError naming the field (`sealed_recipients[3]`) and what is wrong with it;
 * size limits are checked before any decoding, and nothing else is ever thrown.
 */
import { base58DecodeExact, maxBase58Length } from './base58';
import { rememberDecoded } from './decoded';
import { EnvelopeParseError, KeyError } from './errors';
import { parseTimestamp, type Envelope } from './envelope';
import { isCanonicalPublicKey, KEY_BYTES } from './keys';
import { resolveLimits, type EnvelopeLimits } from './limits';

export { DEFAULT_LIMITS, type EnvelopeLimits } from './limits';

const NONCE = 24;
const MAC = 16;
const ID_BYTES = 32;
const RECIPIENT_BYTES = NONCE + MAC + KEY_BYTES;

const FIELDS = new Set(['id', 'timestamp', 'sender', 'signature', 'sealed_recipients', 'sealed_letter', 'signature_v2']);
const SIGNATURE_V2_BYTES = 64;
/** Sent by the original (sender_raw always empty, letter {}, opened false): accepted, never trusted. */
const LEGACY_FIELDS = new Set(['sender_raw', 'letter', 'opened']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(field: string, reason: string): never {
  throw new EnvelopeParseError(field, reason);
}

/** A refusal because of a configured limit, not of the format. */
function failSize(field: string, reason: string): never {
  throw new EnvelopeParseError(field, reason, true);
}

/** Field names echoed back are truncated: the name itself is attacker-chosen. */
function shown(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Own data property only: never runs a getter or reads through the prototype chain. */
function own(obj: object, name: string, field = name): unknown {
  const d = Object.getOwnPropertyDescriptor(obj, name);
  if (d === undefined) return undefined;
  if (!('value' in d)) fail(field, 'must be a plain data field, not an accessor');
  return d.value;
}

function requireString(v: unknown, field: string): string {
  if (v === undefined) fail(field, 'required field is missing');
  if (typeof v !== 'string') fail(field, `expected a string, got ${typeName(v)}`);
  return v;
}

function decodeExact(text: string, bytes: number, field: string, what: string): Buffer {
  if (text.length === 0) fail(field, `empty, expected ${what}`);
  if (text.length > maxBase58Length(bytes)) {
    fail(field, `${text.length} characters cannot be ${what} (at most ${maxBase58Length(bytes)})`);
  }
  try {
    return base58DecodeExact(text, bytes, field);
  } catch (e) {
    return fail(field, `not ${what}: ${e instanceof KeyError ? e.detail : 'undecodable'}`);
  }
}

function readPlainObject(v: unknown, field: string): object {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(field, `expected a JSON object, got ${typeName(v)}`);
  return v;
}

/** Bytes -> JSON value, after the size check. */
function parseJsonText(input: string | Uint8Array, maxBytes: number): unknown {
  let text: string;
  if (typeof input === 'string') {
    // UTF-16 length bounds the UTF-8 size from below (and from above by 3x): most input skips byteLength.
    if (input.length > maxBytes || (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes)) {
      failSize('$', `envelope is larger than the limit of ${maxBytes} bytes`);
    }
    text = input;
  } else {
    if (input.byteLength > maxBytes) {
      failSize('$', `envelope of ${input.byteLength} bytes is larger than the limit of ${maxBytes} bytes`);
    }
    try {
      text = utf8.decode(input);
    } catch {
      fail('$', 'envelope is not valid UTF-8');
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail('$', `not valid JSON (${(e as Error).message.slice(0, 120)})`);
  }
}

function parseUnchecked(input: unknown, limits: EnvelopeLimits): Envelope {
  const value =
    typeof input === 'string' || input instanceof Uint8Array ? parseJsonText(input, limits.maxEnvelopeBytes) : input;
  const obj = readPlainObject(value, '$');

  for (const name of Object.keys(obj)) {
    if (!FIELDS.has(name) && !LEGACY_FIELDS.has(name)) {
      fail(shown(name), `unknown field (an envelope has id, timestamp, sender, signature, sealed_recipients, sealed_letter, signature_v2)`);
    }
  }

  const id = requireString(own(obj, 'id'), 'id');
  const idBytes = decodeExact(id, ID_BYTES, 'id', 'base58 of a 32-byte id');

  const { normalized: timestamp, ms: timestampMs } = parseTimestamp(requireString(own(obj, 'timestamp'), 'timestamp'));

  const senderValue = own(obj, 'sender');
  if (senderValue === undefined) fail('sender', 'required field is missing');
  const sender = readPlainObject(senderValue, 'sender');
  for (const name of Object.keys(sender)) {
    if (name !== 'public' && name !== 'private') fail(`sender.${shown(name)}`, 'unknown field (sender has only "public")');
  }
  const priv = own(sender, 'private', 'sender.private');
  if (priv !== undefined && priv !== '') fail('sender.private', 'must be absent or empty: never send a private key');
  const senderPublic = requireString(own(sender, 'public', 'sender.public'), 'sender.public');
  const senderKey = decodeExact(senderPublic, KEY_BYTES, 'sender.public', 'base58 of a 32-byte public key');
  if (!isCanonicalPublicKey(senderKey)) {
    fail('sender.public', 'not a canonical X25519 public key (top bit set or not reduced mod 2^255-19)');
  }

  const signature = requireString(own(obj, 'signature'), 'signature');
  // v1 signature = nonce + MAC + the sender's key text, so its length follows from the sender.
  const sigBytes = NONCE + MAC + Buffer.byteLength(senderPublic, 'utf8');
  const signatureBytes = decodeExact(signature, sigBytes, 'signature', `base58 of a ${sigBytes}-byte region signature`);

  const recipientsValue = own(obj, 'sealed_recipients');
  if (recipientsValue === undefined) fail('sealed_recipients', 'required field is missing');
  if (!Array.isArray(recipientsValue)) fail('sealed_recipients', `expected an array, got ${typeName(recipientsValue)}`);
  const count = recipientsValue.length;
  if (count === 0) fail('sealed_recipients', "empty: at least the sender's own box is required");
  if (count > limits.maxRecipients) failSize('sealed_recipients', `too many entries: ${count}, the limit is ${limits.maxRecipients}`);
  const sealedRecipients: string[] = new Array(count);
  const recipientBytes: Buffer[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const field = `sealed_recipients[${i}]`;
    const r = requireString(own(recipientsValue, String(i), field), field);
    recipientBytes[i] = decodeExact(r, RECIPIENT_BYTES, field, `base58 of a ${RECIPIENT_BYTES}-byte recipient box`);
    sealedRecipients[i] = r;
  }

  const sealedLetter = requireString(own(obj, 'sealed_letter'), 'sealed_letter');
  const maxChars = 4 * Math.ceil(limits.maxSealedLetterBytes / 3);
  if (sealedLetter.length > maxChars) {
    failSize('sealed_letter', `${sealedLetter.length} characters is larger than the limit of ${maxChars} (${limits.maxSealedLetterBytes} bytes)`);
  }
  const letterBytes = checkBase64(sealedLetter, limits.maxSealedLetterBytes);

  // v2 (docs/envelope-v2.md): optional, but when present it must be 64 bytes of base58; whether
  // it verifies is the caller's check (verifyEnvelopeV2), since it costs a signature verification.
  const signatureV2Value = own(obj, 'signature_v2');
  let signatureV2: string | undefined;
  if (signatureV2Value !== undefined) {
    signatureV2 = requireString(signatureV2Value, 'signature_v2');
    decodeExact(signatureV2, SIGNATURE_V2_BYTES, 'signature_v2', `base58 of a ${SIGNATURE_V2_BYTES}-byte XEdDSA signature`);
  }

  const env: Envelope = {
    id,
    timestamp,
    sender: { public: senderPublic },
    signature,
    sealed_recipients: sealedRecipients,
    sealed_letter: sealedLetter,
  };
  if (signatureV2 !== undefined) env.signature_v2 = signatureV2;
  rememberDecoded(env, {
    id,
    idBytes,
    timestamp,
    timestampMs,
    signature,
    signatureBytes,
    recipients: sealedRecipients.slice(),
    recipientBytes,
    letter: sealedLetter,
    letterBytes,
  });
  return env;
}

/** Canonical std base64 (the only form Go's encoding/json writes): decoding then re-encoding gives it back. */
function checkBase64(text: string, maxBytes: number): Buffer {
  const field = 'sealed_letter';
  if (text.length % 4 !== 0) fail(field, `not standard base64: length ${text.length} is not a multiple of 4`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) {
    const bad = /[^A-Za-z0-9+/=]/.exec(text);
    fail(
      field,
      bad
        ? `not standard base64: character ${JSON.stringify(bad[0])} at position ${bad.index}`
        : 'not canonical standard base64 (misplaced padding or non-zero trailing bits)',
    );
  }
  if (bytes.length < NONCE + MAC) fail(field, `${bytes.length} bytes is too short for a secretbox (at least ${NONCE + MAC})`);
  if (bytes.length > maxBytes) failSize(field, `${bytes.length} bytes is larger than the limit of ${maxBytes}`);
  return bytes;
}

/**
 * Parses an untrusted envelope: a JSON string, a Buffer/Uint8Array of JSON, or an already-parsed
 * value. Returns a fresh object with exactly the six fields, plus signature_v2 when present
 * (timestamp normalized to UTC `Z`);
 * the legacy sender_raw/letter/opened are dropped, any other field is refused.
 * Throws EnvelopeParseError and nothing else.
 */
export function parseEnvelope(input: unknown, limits?: Partial<EnvelopeLimits>): Envelope {
  const lim = resolveLimits(limits);
  try {
    return parseUnchecked(input, lim);
  } catch (e) {
    if (e instanceof EnvelopeParseError) throw e;
    // Exotic inputs (proxies, revoked objects, stack exhaustion) still get the one error type.
    throw new EnvelopeParseError('$', 'unreadable envelope value');
  }
}

/** kiki's size of an envelope: the length of its sealed letter text. */
export function envelopeSize(env: Envelope): number {
  return env.sealed_letter.length;
}
