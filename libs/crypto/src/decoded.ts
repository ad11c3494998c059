/**
 * Binary forms that parseEnvelope already decoded while checking an envelope, so that validate,
 * open and the hub's storage need not decode the same base58/base64 again (base58 decoding was
 * ~10% of ingest CPU). Keyed by the parsed envelope object; an entry is used only while the field
 * still holds the very text it was decoded from, so mutating an envelope can never reuse stale bytes.
 */
interface Decoded {
  id: string;
  idBytes: Buffer;
  /** the timestamp as parseEnvelope normalized it, and its milliseconds since 1970 */
  timestamp: string;
  timestampMs: number;
  signature: string;
  signatureBytes: Buffer;
  recipients: string[];
  recipientBytes: Buffer[];
  letter: string;
  letterBytes: Buffer;
}

const cache = new WeakMap<object, Decoded>();

export function rememberDecoded(env: object, decoded: Decoded): void {
  cache.set(env, decoded);
}

export function cachedSignature(env: { signature?: unknown }): Buffer | undefined {
  const d = cache.get(env);
  return d && env.signature === d.signature ? d.signatureBytes : undefined;
}

export function cachedRecipient(env: { sealed_recipients?: unknown }, i: number): Buffer | undefined {
  const d = cache.get(env);
  return d && Array.isArray(env.sealed_recipients) && env.sealed_recipients[i] === d.recipients[i] ? d.recipientBytes[i] : undefined;
}

/** The sealed letter's bytes: remembered from parsing, or decoded now. */
export function sealedLetterBytes(env: { sealed_letter: string }): Buffer {
  const d = cache.get(env);
  return d && env.sealed_letter === d.letter ? d.letterBytes : Buffer.from(env.sealed_letter, 'base64');
}

/** The id's 32 bytes, when parseEnvelope decoded this very id text. */
export function cachedId(env: { id?: unknown }): Buffer | undefined {
  const d = cache.get(env);
  return d && env.id === d.id ? d.idBytes : undefined;
}

/** The timestamp in ms since 1970, when parseEnvelope parsed this very timestamp text. */
export function cachedTimestampMs(env: { timestamp?: unknown }): number | undefined {
  const d = cache.get(env);
  return d && env.timestamp === d.timestamp ? d.timestampMs : undefined;
}
