/** Opening envelopes (PROTOCOL.md "Opening"), with shared keys cached per (key, sender). */
import sodium from 'sodium-native';
import { base58DecodeExact } from './base58';
import { cachedRecipient, sealedLetterBytes } from './decoded';
import { KeyError, LetterError, NotARecipientError } from './errors';
import { verifyId, type Envelope } from './envelope';
import { decodeKeyPair, decodePublicKey, type KeyPair } from './keys';
import { InflateError, inflateRawText } from './inflate';
import { parseLetter, type Letter } from './letter';
import { DEFAULT_CACHE_SIZE, SharedKeyCache } from './shared-key';

const NONCE = 24;
const MAC = 16;
const K_BYTES = 32;
const RECIPIENT_BYTES = NONCE + MAC + K_BYTES;

/** K of the letter being opened, and its compressed plaintext: reused, so an open allocates neither. */
const letterKey = Buffer.alloc(K_BYTES);
let compressedScratch = Buffer.alloc(64 * 1024);

/** Largest inflated letter accepted: bounds what a small deflate bomb can make us allocate. */
export const MAX_LETTER_BYTES = 4 * 1024 * 1024;

export interface OpenedLetter {
  letter: Letter;
  /** Public key whose secret opened it. */
  openedWith: string;
  /**
   * Whether the envelope's id is the id of this letter (verifyId). The original never checked
   * it; a false here means the id was forged or squatted, so callers should not trust it.
   */
  idValid: boolean;
}

interface HeldKey {
  public: string;
  cache: SharedKeyCache;
}

/**
 * Opens envelopes with a fixed set of keys (region key, friends keys, own key). Each key keeps
 * an LRU of X25519 shared keys per sender, so repeat senders cost secretbox opens only.
 */
export class Opener {
  private readonly keys: HeldKey[];

  constructor(keys: KeyPair[], opts: { cacheSize?: number } = {}) {
    if (!Array.isArray(keys)) throw new KeyError('keys', 'expected an array of keypairs');
    const size = opts.cacheSize ?? DEFAULT_CACHE_SIZE;
    this.keys = keys.map((kp, i) => {
      const { sk } = decodeKeyPair(kp, `keys[${i}]`);
      return { public: kp.public, cache: new SharedKeyCache(sk, size) };
    });
  }

  /** Throws NotARecipientError when no key opens a recipient box, LetterError when the letter is invalid. */
  open(env: Envelope): OpenedLetter {
    const opened = this.tryOpen(env);
    if (!opened) throw new NotARecipientError();
    return opened;
  }

  /**
   * null when none of the keys is a recipient; an invalid letter still throws LetterError.
   * (Not built on open(): the hub tries the region key on every private envelope, and an
   * exception per miss cost ~4% of ingest CPU.)
   */
  tryOpen(env: Envelope): OpenedLetter | null {
    const senderText = env?.sender?.public;
    if (typeof senderText !== 'string') decodePublicKey(senderText, 'sender.public'); // throws the KeyError
    const senderPk = () => decodePublicKey(senderText, 'sender.public');
    const recipients: unknown = env.sealed_recipients;
    if (!Array.isArray(recipients)) return null; // no sealed recipients: nobody's letter

    // Decoded lazily (a key usually matches early in a long list) and once for all keys;
    // null marks an entry that cannot be a recipient box.
    const boxes: (Buffer | null | undefined)[] = new Array(recipients.length);
    const boxAt = (i: number): Buffer | null => {
      let box = boxes[i];
      if (box === undefined) {
        try {
          // Exactly nonce + MAC + 32: the original crashed slicing a too-short entry.
          box = cachedRecipient(env, i) ?? base58DecodeExact(recipients[i], RECIPIENT_BYTES, 'sealed_recipients');
        } catch {
          box = null;
        }
        boxes[i] = box;
      }
      return box;
    };

    const k = letterKey; // reused (never two opens at once: all synchronous), zeroed after each
    try {
      const n = boxes.length;
      for (const held of this.keys) {
        const shared = held.cache.get(senderText, senderPk);
        if (!shared) continue; // low-order sender key: nothing can open
        // Box 0 is the sender's own by convention: try it first only for the sender's key, last
        // otherwise (still tried, so an unconventional order opens too).
        const first = held.public === senderText ? 0 : 1;
        for (let j = 0; j < n; j++) {
          const i = (first + j) % n;
          const box = boxAt(i);
          if (box && sodium.crypto_secretbox_open_easy(k, box.subarray(NONCE), box.subarray(0, NONCE), shared)) {
            const letter = openLetter(env, k);
            return { letter, openedWith: held.public, idValid: verifyId(env, letter) };
          }
        }
      }
    } finally {
      sodium.sodium_memzero(k);
    }
    return null;
  }
}

/** One-off open without a lasting cache; use an Opener for more than one envelope. */
export function open(env: Envelope, keys: KeyPair[]): OpenedLetter {
  return new Opener(keys, { cacheSize: 16 }).open(env);
}

/** secretbox-open with K, inflate (bounded), parse the letter JSON. */
function openLetter(env: Envelope, k: Buffer): Letter {
  if (typeof env.sealed_letter !== 'string') throw new LetterError('sealed_letter is not a string');
  const sealed = sealedLetterBytes(env);
  if (sealed.length < NONCE + MAC) throw new LetterError('sealed letter is too short to be a secretbox');
  // Fully written by a successful open, and consumed by the inflate before anything else runs.
  const size = sealed.length - NONCE - MAC;
  if (compressedScratch.length < size) compressedScratch = Buffer.alloc(size);
  const compressed = compressedScratch.subarray(0, size);
  if (!sodium.crypto_secretbox_open_easy(compressed, sealed.subarray(NONCE), sealed.subarray(0, NONCE), k)) {
    throw new LetterError('sealed letter does not open with the recipient key (tampered or corrupt)');
  }
  let plain: string;
  try {
    plain = inflateRawText(compressed, MAX_LETTER_BYTES);
  } catch (e) {
    if (!(e instanceof InflateError)) throw e;
    throw new LetterError(e.tooLarge ? `letter inflates to more than ${MAX_LETTER_BYTES} bytes` : 'letter is not valid raw DEFLATE data');
  } finally {
    compressed.fill(0); // a client opens private letters here: leave no plaintext behind
  }
  return parseLetter(plain);
}
