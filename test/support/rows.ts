import { randomBytes } from 'node:crypto';
import { type EnvelopeRow, RegionRepository } from '@kiki/storage';
import type { DataSource } from 'typeorm';

/** A region (random keys, with its counter row) for storage-level tests; its id. */
export async function storageRegion(ds: DataSource): Promise<number> {
  const key = () => randomBytes(16).toString('hex');
  const r = await new RegionRepository(ds).create({ publicKey: key(), name: key(), privateKeyEnc: randomBytes(48), hubPublicKey: key(), hubPrivateKeyEnc: randomBytes(48) });
  return r.regionId;
}

/** A row as ingest hands it to storage: random id and 100-byte letter, texts that need no checking. */
export function envelopeRow(sender: string, over: Partial<EnvelopeRow> = {}): EnvelopeRow {
  const letter = randomBytes(100);
  return {
    id: randomBytes(32),
    tsMs: 1_764_000_000_000,
    timestamp: '2025-11-24T16:00:00Z',
    sender,
    signature: 'SiGnAtUrE58',
    sealedRecipients: ['BoxOne58', 'BoxTwo58'],
    sealedLetter: letter,
    size: letter.toString('base64').length,
    purpose: null,
    firstId: null,
    replyTo: null,
    publicContent: null,
    signatureV2: null,
    ...over,
  };
}
