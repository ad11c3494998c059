import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { RegionEntity } from './region.entity';

export type QuotaTier = 'default' | 'trusted' | 'unlimited';
export const QUOTA_TIERS: readonly QuotaTier[] = ['default', 'trusted', 'unlimited'];

/** A person whose quota differs from the region default (docs/quotas.md). */
@Entity('person_policy')
@Check('person_policy_tier_check', `tier IN ('default', 'trusted', 'unlimited')`)
@Check('person_policy_override_bytes_check', 'override_bytes >= 0')
@Check('person_policy_unlimited_check', `tier <> 'unlimited' OR override_bytes IS NULL`)
export class PersonPolicyEntity {
  @PrimaryColumn('integer', { name: 'region_id', primaryKeyConstraintName: 'person_policy_pk' })
  regionId: number;

  @ManyToOne(() => RegionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'region_id', foreignKeyConstraintName: 'person_policy_region_id_fkey' })
  region?: RegionEntity;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'person_policy_pk' })
  person: string;

  @Column('text', { default: 'default' })
  tier: QuotaTier;

  @Column('bigint', { name: 'override_bytes', nullable: true })
  overrideBytes: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
