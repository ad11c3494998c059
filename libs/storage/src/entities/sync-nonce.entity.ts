import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RegionEntity } from './region.entity';

/** A used sync-token nonce, recorded here only while Redis (the usual replay cache) is unreachable. */
@Entity('sync_nonce')
@Index('sync_nonce_region_expires_idx', ['regionId', 'expiresAt'])
export class SyncNonceEntity {
  @PrimaryColumn('integer', { name: 'region_id', primaryKeyConstraintName: 'sync_nonce_pk' })
  regionId: number;

  @ManyToOne(() => RegionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'region_id', foreignKeyConstraintName: 'sync_nonce_region_id_fkey' })
  region?: RegionEntity;

  @PrimaryColumn('bytea', { primaryKeyConstraintName: 'sync_nonce_pk' })
  nonce: Buffer;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;
}
