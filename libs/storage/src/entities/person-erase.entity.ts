import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RegionEntity } from './region.entity';

/** A person's newest action-erase: everything of theirs dated at or before it is removed. */
@Entity('person_erase')
export class PersonEraseEntity {
  @PrimaryColumn('integer', { name: 'region_id', primaryKeyConstraintName: 'person_erase_pk' })
  regionId: number;

  @ManyToOne(() => RegionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'region_id', foreignKeyConstraintName: 'person_erase_region_id_fkey' })
  region?: RegionEntity;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'person_erase_pk' })
  person: string;

  /** the erase letter itself, which is kept */
  @Column('bytea', { name: 'erase_id' })
  eraseId: Buffer;

  @Column('bigint', { name: 'erase_ts_ms' })
  eraseTsMs: string;

  @CreateDateColumn({ name: 'erased_at', type: 'timestamptz' })
  erasedAt: Date;
}
