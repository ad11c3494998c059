/** The envelope: sealing (kiki v1, PROTOCOL.md "Sealing, in order"), ids and timestamps. */
import { hash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import sodium from 'sodium-native';
import { base58DecodeExact, base58Encode } from './base58';
import { cachedId } from './decoded';
import { KeyError, LetterError, SignatureError } from './errors';
import { decodeKeyPair, decodePublicKey, keyPairFromJson, type KeyPair } from './keys';
import { isAction, isPurpose, letterToJson, type Letter, type Purpose } from './letter';
import { resolveLimits, type EnvelopeLimits } from './limits';
import { boxBeforeNm } from './shared-key';
import { formatTimestamp } from './timestamp';
import { signEnvelopeV2 } from './v2';
import type { Envelope } from './envelope-shape';

export type { Envelope } from './envelope-shape';

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
  /** 'v2' (default) adds the sender's signature_v2; 'v1' seals exactly what the original seals. */
  version?: 'v1' | 'v2';
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
    const env: Envelope = {
      id,
      timestamp,
      sender: { public: sender.public },
      signature,
      sealed_recipients: sealedRecipients,
      sealed_letter: sealedLetter.toString('base64'),
    };
    // v2: the sender's signature of all of the above, in a field the original ignores.
    if (opts.version !== 'v1') env.signature_v2 = signEnvelopeV2(env, sk);
    return env;
  } finally {
    // K and the shared keys are the only secrets made here; the caller owns `sender`.
    sodium.sodium_memzero(k);
    sodium.sodium_memzero(sk);
    for (const key of shared.values()) sodium.sodium_memzero(key);
  }
}

export { formatTimestamp, parseTimestamp } from './timestamp';
