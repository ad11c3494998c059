import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { RegionEntity } from './region.entity';

@Entity('person_usage')
// (region_id, bytes DESC, person): TypeORM does not model the DESC, the migration has it
@Index('person_usage_region_bytes_idx', ['regionId', 'bytes', 'person'])
@Check('person_usage_bytes_check', 'bytes >= 0')
@Check('person_usage_envelopes_check', 'envelopes >= 0')
export class PersonUsageEntity {
  @PrimaryColumn('integer', { name: 'region_id', primaryKeyConstraintName: 'person_usage_pk' })
  regionId: number;

  @ManyToOne(() => RegionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'region_id', foreignKeyConstraintName: 'person_usage_region_id_fkey' })
  region?: RegionEntity;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'person_usage_pk' })
  person: string;

  @Column('bigint', { default: 0 })
  bytes: string;

  @Column('integer', { default: 0 })
  envelopes: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
