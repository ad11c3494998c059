/** kiki v1 region signatures (PROTOCOL.md "Validating"), with shared keys cached per sender. */
import sodium from 'sodium-native';
import { base58DecodeExact, base58Encode } from './base58';
import { cachedSignature } from './decoded';
import { KeyError, SignatureError } from './errors';
import type { Envelope } from './envelope';
import { decodeKeyPair, decodePublicKey, type KeyPair, type PublicKeyPair } from './keys';
import { DEFAULT_CACHE_SIZE, SharedKeyCache } from './shared-key';

const NONCE = 24;
const MAC = 16;

/** Reused for every signature check (see check()). */
let scratch = Buffer.alloc(256);

/**
 * Checks v1 signatures of one region. A signature is box(sender's base58 public key text,
 * sender secret, region public); it opens with (region secret, sender public), and the X25519
 * shared key of that pair is cached so a known sender costs one secretbox open, not a scalarmult.
 */
export class RegionValidator {
  readonly regionPublic: string;
  private readonly cache: SharedKeyCache;

  constructor(region: KeyPair, opts: { cacheSize?: number } = {}) {
    const { sk } = decodeKeyPair(region, 'region');
    this.regionPublic = region.public;
    this.cache = new SharedKeyCache(sk, opts.cacheSize ?? DEFAULT_CACHE_SIZE);
  }

  /** Throws SignatureError: REGION_AS_SENDER, or BAD_SIGNATURE for anything that does not validate. */
  validate(env: Envelope): void {
    const sender = env?.sender?.public;
    const signature = env?.signature;
    if (sender === this.regionPublic) {
      throw new SignatureError('REGION_AS_SENDER', 'the region key cannot be a sender');
    }
    if (!this.check(sender, signature, env)) {
      throw new SignatureError('BAD_SIGNATURE', 'the region signature does not validate for this sender');
    }
  }

  isValid(env: Envelope): boolean {
    const sender = env?.sender?.public;
    return sender !== this.regionPublic && this.check(sender, env?.signature, env);
  }

  /**
   * The v1 signature of `person` (what the person's own client would send). Only the public half
   * is needed: X25519(region secret, person public) is the same key as X25519(person secret,
   * region public), which is exactly the v1 weakness "anyone holding the region key can sign".
   */
  signFor(person: PublicKeyPair): string {
    const text = person?.public;
    const pk = decodePublicKey(text, 'person.public');
    if (text === this.regionPublic) {
      throw new SignatureError('REGION_AS_SENDER', 'the region key cannot be a sender');
    }
    const key = this.cache.get(text, pk);
    if (!key) throw new KeyError('person.public', 'low-order public key');
    const msg = Buffer.from(text, 'utf8');
    const out = Buffer.alloc(NONCE + MAC + msg.length);
    const nonce = out.subarray(0, NONCE);
    sodium.randombytes_buf(nonce);
    sodium.crypto_secretbox_easy(out.subarray(NONCE), msg, nonce, key);
    return base58Encode(out);
  }

  /** For `/list?user_pub&signature`: true only for a valid signature of a person other than the region. */
  validateSignature(personPublic: string, signature: string): boolean {
    return personPublic !== this.regionPublic && this.check(personPublic, signature);
  }

  /** Never throws: any malformed input is simply not a valid signature. */
  private check(sender: unknown, signature: unknown, env?: Envelope): boolean {
    if (typeof sender !== 'string' || typeof signature !== 'string') return false;
    let box: Buffer;
    let key: Buffer | null;
    try {
      // The plaintext is the sender's key text, so the box length is fixed by it.
      box = (env && cachedSignature(env)) ?? base58DecodeExact(signature, NONCE + MAC + Buffer.byteLength(sender), 'signature');
      if (box.length !== NONCE + MAC + Buffer.byteLength(sender)) return false;
      key = this.cache.get(sender, () => decodePublicKey(sender, 'sender.public'));
    } catch {
      return false;
    }
    if (!key) return false;
    const n = box.length - NONCE - MAC;
    if (scratch.length < 2 * n) scratch = Buffer.alloc(4 * n);
    // Plaintext and expected text share one reused buffer: no allocation per envelope (the
    // plaintext is the sender's public key text, nothing secret).
    const msg = scratch.subarray(0, n);
    if (!sodium.crypto_secretbox_open_easy(msg, box.subarray(NONCE), box.subarray(0, NONCE), key)) return false;
    // Must be the sender's own key text exactly: a signature is not transferable to another key.
    scratch.write(sender, n, n, 'utf8');
    return scratch.compare(scratch, n, 2 * n, 0, n) === 0;
  }
}
