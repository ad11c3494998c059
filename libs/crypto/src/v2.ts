/**
 * Envelope v2: a sender signature bound to every field of the envelope (docs/envelope-v2.md).
 *
 * `signature_v2` = base58(XEdDSA(sender's X25519 secret, M)), 64 bytes, where
 *   M    = "kiki-envelope-v2" (16 ASCII bytes) ‖ SHA-512(body)
 *   body = id (32 bytes) ‖ seconds since 1970 (int64 BE) ‖ nanoseconds (uint32 BE)
 *        ‖ sender public key (32) ‖ recipient count (uint32 BE) ‖ each sealed recipient (72)
 *        ‖ sealed letter length (uint32 BE) ‖ sealed letter bytes
 * The timestamp is bound as the instant it names, not as text: original carriers rewrite the
 * text when they relay (Go trims trailing zeros, a zone may change) without changing the instant.
 * The original kiki ignores the extra JSON field, so a v2 envelope is still a valid v1 envelope
 * (but an original carrier drops the field when it relays: the envelope arrives as v1).
 */
import { createHash } from 'node:crypto';
import { base58DecodeExact, base58Encode } from './base58';
import { cachedId, cachedRecipient, sealedLetterBytes } from './decoded';
import type { Envelope } from './envelope-shape';
import { decodeKey } from './keys';
import { parseTimestamp } from './timestamp';
import { montgomeryToEdwards, XEDDSA_SIGNATURE_BYTES, xeddsaSign, xeddsaVerify } from './xeddsa';

export const SIGNATURE_V2_FIELD = 'signature_v2';
const DOMAIN = Buffer.from('kiki-envelope-v2', 'ascii');
const RECIPIENT_BYTES = 24 + 16 + 32;

/** The instant a timestamp names: whole seconds since 1970 and nanoseconds within the second. */
export function timestampInstant(text: string): { seconds: number; nanos: number } {
  const { ms, normalized } = parseTimestamp(text);
  const frac = /\.(\d{1,9})Z$/.exec(normalized)?.[1] ?? '';
  return { seconds: Math.floor(ms / 1000), nanos: frac ? Number(frac.padEnd(9, '0')) : 0 };
}

/** The 80 bytes XEdDSA signs for `env` (its fields must already be well-formed: parseEnvelope or seal). */
export function canonicalMessage(env: Envelope): Buffer {
  const h = createHash('sha512');
  h.update(cachedId(env) ?? base58DecodeExact(env.id, 32, 'id'));
  const { seconds, nanos } = timestampInstant(env.timestamp);
  const t = Buffer.alloc(12);
  t.writeBigInt64BE(BigInt(seconds), 0);
  t.writeUInt32BE(nanos, 8);
  h.update(t);
  h.update(decodeKey(env.sender.public, 'sender.public'));
  const n = Buffer.alloc(4);
  n.writeUInt32BE(env.sealed_recipients.length);
  h.update(n);
  env.sealed_recipients.forEach((r, i) => h.update(cachedRecipient(env, i) ?? base58DecodeExact(r, RECIPIENT_BYTES, `sealed_recipients[${i}]`)));
  const letter = sealedLetterBytes(env);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(letter.length);
  h.update(len);
  h.update(letter);
  return Buffer.concat([DOMAIN, h.digest()]);
}

/** The signature_v2 text of `env` by its sender (`senderSecret`: the sender's 32-byte X25519 secret). */
export function signEnvelopeV2(env: Envelope, senderSecret: Uint8Array, random?: Uint8Array): string {
  return base58Encode(xeddsaSign(senderSecret, canonicalMessage(env), random));
}

/** Edwards forms of recent senders' keys: the conversion is a modular inverse (~tens of µs). */
const edwardsCache = new Map<string, Buffer | null>();
const EDWARDS_CACHE_SIZE = 10_000;

function edwardsOf(sender: string): Buffer | null {
  let e = edwardsCache.get(sender);
  if (e === undefined) {
    e = montgomeryToEdwards(decodeKey(sender, 'sender.public'));
    if (edwardsCache.size >= EDWARDS_CACHE_SIZE) edwardsCache.delete(edwardsCache.keys().next().value as string);
    edwardsCache.set(sender, e);
  }
  return e;
}

/**
 * Whether `env.signature_v2` is the sender's signature of this very envelope. Never throws:
 * a missing or malformed signature, or malformed fields, is simply not valid.
 */
export function verifyEnvelopeV2(env: Envelope): boolean {
  const text = env?.signature_v2;
  if (typeof text !== 'string') return false;
  try {
    const sig = base58DecodeExact(text, XEDDSA_SIGNATURE_BYTES, SIGNATURE_V2_FIELD);
    const pk = decodeKey(env.sender.public, 'sender.public');
    return xeddsaVerify(pk, canonicalMessage(env), sig, edwardsOf(env.sender.public));
  } catch {
    return false;
  }
}
