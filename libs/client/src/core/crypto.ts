/**
 * What the client core needs from cryptography, behind one small interface so that the core
 * (letters, keyring, feed, sync) runs wherever an implementation exists: Node gets sodium-native
 * (node/crypto.ts); a browser can bring libsodium.js. Only types are imported here.
 */
import type { Envelope, KeyPair, Letter, OpenedLetter, SealInput } from '@kiki/crypto';
import type { ReconcileResult } from '@kiki/sync';
import type { PackedItems } from './recon-items';

export interface LetterOpener {
  /** null when none of the keys opens it; throws when it opens but is not a valid kiki letter. */
  tryOpen(env: Envelope): OpenedLetter | null;
}

/** One client-side negentropy session over the items held (see @kiki/sync). */
export interface ReconcileSession {
  initiate(): Uint8Array;
  reconcile(answer: Uint8Array): ReconcileResult;
}

export interface KikiCrypto {
  generateKeyPair(): KeyPair;
  /** A base58 text of exactly 32 bytes. */
  isValidKey(key: string): boolean;
  /** A `share-key` content: a JSON keypair whose halves match; throws otherwise. */
  keyPairFromJson(json: string): KeyPair;
  seal(input: SealInput, sender: KeyPair, regionPublic: string, opts?: { now?: Date }): Envelope;
  opener(keys: KeyPair[]): LetterOpener;
  /** Strict parse of an untrusted envelope (legacy `letter`/`opened` dropped); throws with a message. */
  parseEnvelope(raw: unknown): Envelope;
  /** Checks the v1 region signature; throws when it is not valid. */
  validateRegionSignature(region: KeyPair, env: Envelope): void;
  /** ms since 1970 of an envelope timestamp; throws when it is not RFC 3339. */
  timestampMs(timestamp: string): number;
  base58Encode(bytes: Uint8Array): string;
  base58Decode(text: string): Uint8Array;
  /** Starts a reconciliation over the items held (packed, sorted: core/recon-items.ts). */
  reconciler(items: PackedItems, opts: { frameSizeLimit: number }): ReconcileSession;
  /** True for the errors this interface throws for bad input (as opposed to bugs). */
  isInputError(err: unknown): boolean;
  /** Whether the reconciler error means the peer sent a malformed message. */
  isReconcileProtocolError(err: unknown): err is Error & { code: string };
}

export type { Envelope, KeyPair, Letter, OpenedLetter, SealInput };
