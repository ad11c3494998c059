import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type RemovedReason = 'quota' | 'erase' | 'admin';

@Entity('envelope')
@Index('envelope_region_seq_uq', ['regionId', 'seq'], { unique: true })
@Index('envelope_region_ts_idx', ['regionId', 'tsMs', 'id'])
@Index('envelope_region_sender_idx', ['regionId', 'sender', 'tsMs'], { where: 'removed_at IS NULL' })
@Check('envelope_id_check', 'octet_length(id) = 32')
@Check('envelope_removed_reason_check', `removed_reason IN ('quota', 'erase', 'admin')`)
@Check('envelope_removed_ck', '(removed_at IS NULL) = (sealed_letter IS NOT NULL)')
export class EnvelopeEntity {
  /** No foreign key (checked per row, under the region's counter lock): see migration 1764000000004. */
  @PrimaryColumn('integer', { name: 'region_id', primaryKeyConstraintName: 'envelope_pk' })
  regionId: number;

  /** The kiki id, base58-decoded (32 bytes). */
  @PrimaryColumn('bytea', { primaryKeyConstraintName: 'envelope_pk' })
  id: Buffer;

  @Column('bigint')
  seq: string;

  @Column('bigint', { name: 'ts_ms' })
  tsMs: string;

  @Column('text')
  timestamp: string;

  @Column('text')
  sender: string;

  @Column('text')
  signature: string;

  /** Envelope v2: the sender's signature (base58), stored only once verified; null = unproven. */
  @Column('text', { name: 'signature_v2', nullable: true })
  signatureV2: string | null;

  @Column('text', { name: 'sealed_recipients', array: true, nullable: true })
  sealedRecipients: string[] | null;

  @Column('bytea', { name: 'sealed_letter', nullable: true })
  sealedLetter: Buffer | null;

  @Column('integer')
  size: number;

  @Column('timestamptz', { name: 'received_at', default: () => 'now()' })
  receivedAt: Date;

  @Column('text', { nullable: true })
  purpose: string | null;

  @Column('text', { name: 'first_id', nullable: true })
  firstId: string | null;

  @Column('text', { name: 'reply_to', nullable: true })
  replyTo: string | null;

  @Column('text', { name: 'public_content', nullable: true })
  publicContent: string | null;

  @Column('timestamptz', { name: 'removed_at', nullable: true })
  removedAt: Date | null;

  @Column('text', { name: 'removed_reason', nullable: true })
  removedReason: RemovedReason | null;
}
