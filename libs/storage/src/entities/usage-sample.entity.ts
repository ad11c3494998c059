import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RegionEntity } from './region.entity';

/** A region's live totals at one moment (usageSeries). */
@Entity('usage_sample')
export class UsageSampleEntity {
  @PrimaryColumn('integer', { name: 'region_id', primaryKeyConstraintName: 'usage_sample_pk' })
  regionId: number;

  @ManyToOne(() => RegionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'region_id', foreignKeyConstraintName: 'usage_sample_region_id_fkey' })
  region?: RegionEntity;

  @PrimaryColumn('timestamptz', { primaryKeyConstraintName: 'usage_sample_pk' })
  at: Date;

  @Column('bigint')
  bytes: string;

  @Column('bigint')
  envelopes: string;

  @Column('integer')
  people: number;
}
