import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { EnvelopeEntity } from './envelope.entity';

/** Why the quota worker removed an envelope, in the order it considers them (docs/quotas.md). */
export type EvictionReason = 'unproven' | 'superseded-image' | 'superseded-edit' | 'large' | 'oldest' | 'erase';

/** One envelope removed by the quota worker: who, what, why, when. */
@Entity('eviction')
@Unique('eviction_envelope_uq', ['regionId', 'envelopeId'])
@Index('eviction_region_person_idx', ['regionId', 'person', 'evictionId'])
@Check('eviction_reason_check', `reason IN ('unproven', 'superseded-image', 'superseded-edit', 'large', 'oldest', 'erase')`)
export class EvictionEntity {
  // The region is reached through the envelope, whose foreign key cascades from region.
  @PrimaryColumn('integer', { name: 'region_id', primaryKeyConstraintName: 'eviction_pk' })
  regionId: number;

  @PrimaryGeneratedColumn('identity', { name: 'eviction_id', type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'eviction_pk' })
  evictionId: string;

  @Column('bytea', { name: 'envelope_id' })
  envelopeId: Buffer;

  @ManyToOne(() => EnvelopeEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'region_id', referencedColumnName: 'regionId', foreignKeyConstraintName: 'eviction_envelope_fkey' },
    { name: 'envelope_id', referencedColumnName: 'id', foreignKeyConstraintName: 'eviction_envelope_fkey' },
  ])
  envelope?: EnvelopeEntity;

  @Column('text')
  person: string;

  @Column('text')
  reason: EvictionReason;

  @Column('integer')
  size: number;

  @Column('text', { nullable: true })
  purpose: string | null;

  @Column('bigint', { name: 'limit_bytes', nullable: true })
  limitBytes: string | null;

  @CreateDateColumn({ name: 'evicted_at', type: 'timestamptz' })
  evictedAt: Date;
}
