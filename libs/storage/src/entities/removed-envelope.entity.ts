import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { EnvelopeEntity } from './envelope.entity';

/**
 * The sealed fields of a tombstone, kept for the retention period so that an admin can undo an
 * erase or an eviction (docs/quotas.md "Undo"); the sweep purges older ones.
 */
@Entity('removed_envelope')
@Index('removed_envelope_region_removed_idx', ['regionId', 'removedAt'])
export class RemovedEnvelopeEntity {
  @PrimaryColumn('integer', { name: 'region_id', primaryKeyConstraintName: 'removed_envelope_pk' })
  regionId: number;

  @PrimaryColumn('bytea', { primaryKeyConstraintName: 'removed_envelope_pk' })
  id: Buffer;

  @ManyToOne(() => EnvelopeEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'region_id', referencedColumnName: 'regionId', foreignKeyConstraintName: 'removed_envelope_envelope_fkey' },
    { name: 'id', referencedColumnName: 'id', foreignKeyConstraintName: 'removed_envelope_envelope_fkey' },
  ])
  envelope?: EnvelopeEntity;

  @Column('text', { name: 'sealed_recipients', array: true })
  sealedRecipients: string[];

  @Column('bytea', { name: 'sealed_letter' })
  sealedLetter: Buffer;

  @Column('text', { name: 'public_content', nullable: true })
  publicContent: string | null;

  @Column('timestamptz', { name: 'removed_at', default: () => 'now()' })
  removedAt: Date;
}
