import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { RegionEntity } from './region.entity';

export type AdminRole = 'hub' | 'region';
export const ADMIN_ROLES: readonly AdminRole[] = ['hub', 'region'];

/** An admin of the dashboard / GraphQL admin API. Hub-wide (no region_id). */
@Entity('admin_account')
@Unique('admin_account_username_uq', ['username'])
@Check('admin_account_role_check', `role IN ('hub', 'region')`)
export class AdminAccountEntity {
  @PrimaryGeneratedColumn('identity', { name: 'admin_id', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'admin_account_pk' })
  adminId: number;

  @Column('text')
  username: string;

  @Column('text')
  role: AdminRole;

  @Column('text', { name: 'password_hash' })
  passwordHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A region a region admin may see and change. */
@Entity('admin_region')
export class AdminRegionEntity {
  @PrimaryColumn('integer', { name: 'admin_id', primaryKeyConstraintName: 'admin_region_pk' })
  adminId: number;

  @PrimaryColumn('integer', { name: 'region_id', primaryKeyConstraintName: 'admin_region_pk' })
  regionId: number;

  @ManyToOne(() => AdminAccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'admin_id', foreignKeyConstraintName: 'admin_region_admin_id_fkey' })
  admin?: AdminAccountEntity;

  @ManyToOne(() => RegionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'region_id', foreignKeyConstraintName: 'admin_region_region_id_fkey' })
  region?: RegionEntity;
}

/** An admin session, found by the SHA-256 of its token. */
@Entity('admin_session')
@Index('admin_session_admin_idx', ['adminId'])
export class AdminSessionEntity {
  @PrimaryColumn('bytea', { name: 'token_hash', primaryKeyConstraintName: 'admin_session_pk' })
  tokenHash: Buffer;

  @Column('integer', { name: 'admin_id' })
  adminId: number;

  @ManyToOne(() => AdminAccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'admin_id', foreignKeyConstraintName: 'admin_session_admin_id_fkey' })
  admin?: AdminAccountEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;

  @Column('timestamptz', { name: 'absolute_expires_at' })
  absoluteExpiresAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}

/** Failed admin logins of one key ('account:<name>' or 'ip:<address>') in the current window. */
@Entity('admin_login_throttle')
export class AdminLoginThrottleEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'admin_login_throttle_pk' })
  key: string;

  @Column('integer', { default: 0 })
  failures: number;

  @Column('timestamptz', { name: 'window_started_at', default: () => 'now()' })
  windowStartedAt: Date;
}

/** One admin action: who, what, where, before -> after. */
@Entity('audit_log')
@Index('audit_log_region_idx', ['regionId', 'auditId'])
export class AuditLogEntity {
  @PrimaryGeneratedColumn('identity', { name: 'audit_id', type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'audit_log_pk' })
  auditId: string;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;

  @Column('text')
  actor: string;

  @Column('text')
  action: string;

  @Column('integer', { name: 'region_id', nullable: true })
  regionId: number | null;

  @Column('text', { nullable: true })
  region: string | null;

  @Column('text', { nullable: true })
  target: string | null;

  @Column('jsonb', { nullable: true })
  before: unknown;

  @Column('jsonb', { nullable: true })
  after: unknown;
}
