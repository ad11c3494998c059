/** Shared test helpers: the vectors, and the raw-libsodium opener written from PROTOCOL.md. */
import { inflateRawSync } from 'node:zlib';
import bs58 from 'bs58';
import sodium from 'sodium-native';
import vectors from './fixtures/kiki-v1.json';
import type { Envelope, KeyPair } from '../src';

export interface VectorCase {
  envelope: Envelope;
  letter_for_a: FileLetter | null;
  letter_for_b: FileLetter | null;
}

/** A letter as the vector file writes it (see vectors.spec.ts for how it relates to the plaintext). */
export interface FileLetter {
  purpose: string;
  to: string[];
  content?: string;
  first_id?: string;
  reply_to?: string;
}

export const V = vectors as unknown as {
  region: KeyPair;
  person_a: KeyPair;
  person_b: KeyPair;
  cases: VectorCase[];
};

/** bs58 (base-x) as an independent decoder, so these checks do not lean on the library's base58. */
export const b58 = (s: string): Buffer => Buffer.from(bs58.decode(s));

/**
 * Opens an envelope following PROTOCOL.md step by step with plain libsodium calls (crypto_box_open_easy,
 * crypto_secretbox_open_easy, inflateRawSync): no code of the library is involved. Returns the raw
 * plaintext JSON text, or null when `key` opens no recipient.
 */
export function rawOpen(env: Envelope, key: KeyPair): string | null {
  const senderPk = b58(env.sender.public);
  const sk = b58(key.private);
  for (const r of env.sealed_recipients) {
    const box = b58(r);
    if (box.length < 24 + 16) continue;
    const k = Buffer.alloc(box.length - 24 - 16);
    if (!sodium.crypto_box_open_easy(k, box.subarray(24), box.subarray(0, 24), senderPk, sk)) continue;
    const sealed = Buffer.from(env.sealed_letter, 'base64');
    const compressed = Buffer.alloc(sealed.length - 24 - 16);
    if (!sodium.crypto_secretbox_open_easy(compressed, sealed.subarray(24), sealed.subarray(0, 24), k)) {
      throw new Error('letter does not open with K');
    }
    return inflateRawSync(compressed).toString('utf8');
  }
  return null;
}

/** Raw check of a v1 signature: box-open with (region secret, sender public), compare with the key text. */
export function rawSignatureOk(env: Envelope, region: KeyPair): boolean {
  const box = b58(env.signature);
  const msg = Buffer.alloc(box.length - 40);
  return (
    sodium.crypto_box_open_easy(msg, box.subarray(24), box.subarray(0, 24), b58(env.sender.public), b58(region.private)) &&
    msg.toString('utf8') === env.sender.public
  );
}


/**
 * Seals arbitrary (already compressed or not) letter bytes to `recipients` with plain libsodium,
 * so tests can build envelopes the library itself refuses to make.
 */
export function rawSeal(
  letterBytes: Buffer,
  sender: KeyPair,
  recipients: KeyPair[],
  region: KeyPair,
  id = bs58.encode(Buffer.alloc(32, 7)),
): Envelope {
  const box = (msg: Buffer, to: string): string => {
    const nonce = Buffer.alloc(24);
    sodium.randombytes_buf(nonce);
    const c = Buffer.alloc(msg.length + 16);
    sodium.crypto_box_easy(c, msg, nonce, b58(to), b58(sender.private));
    return bs58.encode(Buffer.concat([nonce, c]));
  };
  const k = Buffer.alloc(32);
  sodium.randombytes_buf(k);
  const nonce = Buffer.alloc(24);
  sodium.randombytes_buf(nonce);
  const sealed = Buffer.alloc(letterBytes.length + 16);
  sodium.crypto_secretbox_easy(sealed, letterBytes, nonce, k);
  return {
    id,
    timestamp: '2026-11-24T15:58:05.536438035Z',
    sender: { public: sender.public },
    signature: box(Buffer.from(sender.public), region.public),
    sealed_recipients: [sender, ...recipients].map((r) => box(k, r.public)),
    sealed_letter: Buffer.concat([nonce, sealed]).toString('base64'),
  };
}
