import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RegionEntity } from './region.entity';

@Entity('region_seq')
export class RegionSeqEntity {
  @PrimaryColumn('integer', { name: 'region_id' })
  regionId: number;

  @ManyToOne(() => RegionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'region_id', foreignKeyConstraintName: 'region_seq_region_id_fkey' })
  region?: RegionEntity;

  @Column('bigint', { name: 'last_seq', default: 0 })
  lastSeq: string;

  /** seq of the latest tombstone (0: none); moves only when an envelope is removed */
  @Column('bigint', { name: 'removed_seq', default: 0 })
  removedSeq: string;
}
