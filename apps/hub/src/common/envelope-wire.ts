// Envelope rows in wire form, for sync/ (pull, fetch) and kiki/ (the original routes) alike.
import { base58Encode, type Envelope } from '@kiki/crypto';
import type { StoredEnvelope } from '@kiki/storage';

/** A stored row back in wire form (only for rows that still hold their sealed fields). */
export function toWire(row: StoredEnvelope): Envelope {
  const env: Envelope = {
    id: base58Encode(row.id),
    timestamp: row.timestamp,
    sender: { public: row.sender },
    signature: row.signature,
    sealed_recipients: row.sealedRecipients ?? [],
    sealed_letter: (row.sealedLetter ?? Buffer.alloc(0)).toString('base64'),
  };
  // v2 (docs/envelope-v2.md): an extra field, which original instances ignore
  if (row.signatureV2) env.signature_v2 = row.signatureV2;
  return env;
}

/** What original kiki instances expect: the same, sent closed (`letter` empty, `opened` false). */
export function toKikiWire(row: StoredEnvelope): Envelope & { sender_raw: string; letter: object; opened: boolean } {
  const e = toWire(row);
  const out: Envelope & { sender_raw: string; letter: object; opened: boolean } = { id: e.id, timestamp: e.timestamp, sender: e.sender, sender_raw: '', signature: e.signature, sealed_recipients: e.sealed_recipients, sealed_letter: e.sealed_letter, letter: {}, opened: false };
  if (e.signature_v2) out.signature_v2 = e.signature_v2;
  return out;
}
