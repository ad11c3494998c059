/** Size limits for untrusted envelopes, enforced by parseEnvelope before any heavy work. */
export interface EnvelopeLimits {
  /** Bytes of JSON text (string or Buffer input) accepted before JSON.parse runs. */
  maxEnvelopeBytes: number;
  /** Sealed recipients per envelope (the sender's own box included). */
  maxRecipients: number;
  /** Decoded bytes of sealed_letter (nonce + MAC + compressed letter). */
  maxSealedLetterBytes: number;
}

/**
 * 640 KiB / 1024 / 384 KiB. The envelope cap is 640 KiB rather than the first-drafted 512 KiB:
 * a maximal sealed letter alone is 512 KiB of base64 and 1024 recipients add ~103 KiB of base58,
 * so 640 KiB is the smallest round cap that accepts every envelope within the other two limits.
 */
export const DEFAULT_LIMITS: Readonly<EnvelopeLimits> = Object.freeze({
  maxEnvelopeBytes: 640 * 1024,
  maxRecipients: 1024,
  maxSealedLetterBytes: 384 * 1024,
});

// a hub passes its region's limits object for every envelope: resolved once per (frozen) object
const resolvedFrozen = new WeakMap<object, EnvelopeLimits>();

/** Defaults overridden only by the finite positive numbers given (an `undefined` must not erase a default). */
export function resolveLimits(limits?: Partial<EnvelopeLimits>): EnvelopeLimits {
  if (!limits) return DEFAULT_LIMITS;
  const known = resolvedFrozen.get(limits);
  if (known) return known;
  const out = resolveFresh(limits);
  if (Object.isFrozen(limits)) resolvedFrozen.set(limits, Object.freeze(out));
  return out;
}

function resolveFresh(limits?: Partial<EnvelopeLimits>): EnvelopeLimits {
  const out: EnvelopeLimits = { ...DEFAULT_LIMITS };
  if (limits) {
    for (const k of Object.keys(DEFAULT_LIMITS) as (keyof EnvelopeLimits)[]) {
      const v = limits[k];
      if (typeof v === 'number' && v > 0) out[k] = v;
    }
  }
  return out;
}
