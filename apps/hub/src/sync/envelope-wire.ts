import { base58Encode, type Envelope } from '@kiki/crypto';
import type { StoredEnvelope } from '@kiki/storage';

/** A stored row back in wire form (only for rows that still hold their sealed fields). */
export function toWire(row: StoredEnvelope): Envelope {
  return {
    id: base58Encode(row.id),
    timestamp: row.timestamp,
    sender: { public: row.sender },
    signature: row.signature,
    sealed_recipients: row.sealedRecipients ?? [],
    sealed_letter: (row.sealedLetter ?? Buffer.alloc(0)).toString('base64'),
  };
}

/** What original kiki instances expect: the same, sent closed (`letter` empty, `opened` false). */
export function toKikiWire(row: StoredEnvelope): Envelope & { sender_raw: string; letter: object; opened: boolean } {
  const e = toWire(row);
  return { id: e.id, timestamp: e.timestamp, sender: e.sender, sender_raw: '', signature: e.signature, sealed_recipients: e.sealed_recipients, sealed_letter: e.sealed_letter, letter: {}, opened: false };
}
