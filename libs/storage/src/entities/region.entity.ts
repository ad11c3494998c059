import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** docs/quotas.md "Who is proven": v1 (default), v2-for-quota, v2-required. */
export const SENDER_POLICIES = ['v1', 'v2-for-quota', 'v2-required'] as const;
export type SenderPolicy = (typeof SENDER_POLICIES)[number];

@Entity('region')
@Unique('region_public_key_uq', ['publicKey'])
@Check('region_max_envelope_bytes_check', 'max_envelope_bytes > 0')
@Check('region_default_quota_bytes_check', 'default_quota_bytes >= 0')
@Check('region_trusted_quota_bytes_check', 'trusted_quota_bytes >= 0')
@Check('region_sender_policy_check', `sender_policy IN ('v1', 'v2-for-quota', 'v2-required')`)
@Check('region_unproven_pool_bytes_check', 'unproven_pool_bytes >= 0')
@Check('region_max_total_bytes_check', 'max_total_bytes >= 0')
@Check('region_max_unproven_senders_check', 'max_unproven_senders >= 0')
export class RegionEntity {
  @PrimaryGeneratedColumn('identity', { name: 'region_id', generatedIdentity: 'ALWAYS' })
  regionId: number;

  @Column('text', { name: 'public_key' })
  publicKey: string;

  @Column('text')
  name: string;

  @Column('bytea', { name: 'private_key_enc' })
  privateKeyEnc: Buffer;

  @Column('text', { name: 'hub_public_key' })
  hubPublicKey: string;

  @Column('bytea', { name: 'hub_private_key_enc' })
  hubPrivateKeyEnc: Buffer;

  @Column('integer', { name: 'max_envelope_bytes', default: 655360 })
  maxEnvelopeBytes: number;

  // bigint columns come back as strings from pg; the repository converts them.
  @Column('bigint', { name: 'default_quota_bytes', default: 5000000 })
  defaultQuotaBytes: string;

  @Column('bigint', { name: 'trusted_quota_bytes', default: 50000000 })
  trustedQuotaBytes: string;

  /** What an envelope without a verified v2 signature may do here (docs/quotas.md). */
  @Column('text', { name: 'sender_policy', default: 'v1' })
  senderPolicy: SenderPolicy;

  /** under 'v2-for-quota': the bytes all unproven envelopes of the region share */
  @Column('bigint', { name: 'unproven_pool_bytes', default: 50000000 })
  unprovenPoolBytes: string;

  /** cap on the region's counted bytes (null: none); ingest refuses what would go past it */
  @Column('bigint', { name: 'max_total_bytes', nullable: true })
  maxTotalBytes: string | null;

  /** cap on the number of unproven senders the region counts (null: none; docs/quotas.md) */
  @Column('integer', { name: 'max_unproven_senders', nullable: true })
  maxUnprovenSenders: number | null;

  /** how many region_sender rows are unproven: kept under this row's lock by admitSenders */
  @Column('integer', { name: 'unproven_senders', default: 0 })
  unprovenSenders: number;

  /** /r/<region>/* (but ping) needs a one-time sync token, as /sync does (breaks unmodified original instances) */
  @Column('boolean', { name: 'kiki_routes_require_token', default: false })
  kikiRoutesRequireToken: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
