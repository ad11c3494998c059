/**
 * What a stranger or a region member can make without a person's secret key (issue 10), with
 * plain libsodium: copies of a person's public v1 signature on junk, and public letters "from"
 * anyone, sealed with the region's secret (which every member holds; in kiki's default region it
 * is public). Nothing here can make a valid signature_v2.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { base58Decode, base58Encode, computeId, type Envelope, formatTimestamp, type KeyPair, letterToJson, type Purpose } from '@kiki/crypto';
import sodium from 'sodium-native';
import { boxBeforeNm } from '../../libs/crypto/src/shared-key';

/** A private-looking junk envelope carrying `victim`'s copied v1 signature: random id, recipients and letter. */
export function junkWithCopiedSignature(victim: Envelope, letterBytes: number, when: Date): Envelope {
  return {
    id: base58Encode(randomBytes(32)),
    timestamp: formatTimestamp(when),
    sender: { public: victim.sender.public },
    signature: victim.signature,
    sealed_recipients: [0, 1, 2].map(() => base58Encode(randomBytes(72))),
    sealed_letter: randomBytes(letterBytes).toString('base64'),
  };
}

/**
 * A public letter "from" `senderPublic`, made with the region's secret only: the box between the
 * sender and the region is X25519(region secret, sender public), so the region box and the v1
 * signature are genuine; the sender's own box cannot be made and is random.
 */
export function forgePublicLetter(
  senderPublic: string,
  region: KeyPair,
  letter: { purpose: Purpose | string; content?: string; first_id?: string; reply_to?: string; to?: string[] },
  when: Date,
): Envelope {
  const shared = boxBeforeNm(Buffer.from(base58Decode(senderPublic)), Buffer.from(base58Decode(region.private)));
  if (!shared) throw new Error('low-order sender key');
  const seal = (msg: Buffer) => {
    const nonce = randomBytes(24);
    const out = Buffer.alloc(msg.length + 16);
    sodium.crypto_secretbox_easy(out, msg, nonce, shared);
    return Buffer.concat([nonce, out]);
  };
  const to = letter.to ?? [senderPublic, region.public];
  const id = computeId(senderPublic, letter.purpose, letter.content ?? '', letter.first_id ?? '', letter.reply_to ?? '', to);
  const json = letterToJson({ purpose: letter.purpose as Purpose, to, content: letter.content, first_id: letter.first_id || id, reply_to: letter.reply_to });
  const k = randomBytes(32);
  const nonce = randomBytes(24);
  const compressed = deflateRawSync(Buffer.from(json), { level: 9 });
  const body = Buffer.alloc(compressed.length + 16);
  sodium.crypto_secretbox_easy(body, compressed, nonce, k);
  return {
    id,
    timestamp: formatTimestamp(when),
    sender: { public: senderPublic },
    signature: base58Encode(seal(Buffer.from(senderPublic, 'utf8'))),
    sealed_recipients: [base58Encode(randomBytes(72)), base58Encode(seal(k))],
    sealed_letter: Buffer.concat([nonce, body]).toString('base64'),
  };
}
