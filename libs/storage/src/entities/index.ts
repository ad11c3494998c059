import { AdminAccountEntity, AdminLoginThrottleEntity, AdminRegionEntity, AdminSessionEntity, AuditLogEntity } from './admin.entity';
import { EnvelopeEntity } from './envelope.entity';
import { EvictionEntity } from './eviction.entity';
import { PersonEraseEntity } from './person-erase.entity';
import { PersonPolicyEntity } from './person-policy.entity';
import { PersonUsageEntity } from './person-usage.entity';
import { RegionSeqEntity } from './region-seq.entity';
import { RemovedEnvelopeEntity } from './removed-envelope.entity';
import { RegionEntity } from './region.entity';
import { SyncNonceEntity } from './sync-nonce.entity';
import { UsageSampleEntity } from './usage-sample.entity';

export { EnvelopeEntity, PersonUsageEntity, RegionEntity, RegionSeqEntity };
export { EvictionEntity, PersonEraseEntity, PersonPolicyEntity, RemovedEnvelopeEntity, SyncNonceEntity };
export { UsageSampleEntity };
export { AdminAccountEntity, AdminLoginThrottleEntity, AdminRegionEntity, AdminSessionEntity, AuditLogEntity };
export { ADMIN_ROLES, type AdminRole } from './admin.entity';
export type { EvictionReason } from './eviction.entity';
export { QUOTA_TIERS, type QuotaTier } from './person-policy.entity';
export type { RemovedReason } from './envelope.entity';
export { SENDER_POLICIES, type SenderPolicy } from './region.entity';
export const entities = [RegionEntity, RegionSeqEntity, EnvelopeEntity, PersonUsageEntity, PersonPolicyEntity, EvictionEntity, PersonEraseEntity, SyncNonceEntity,
  RemovedEnvelopeEntity, AdminAccountEntity, AdminRegionEntity, AdminSessionEntity, AdminLoginThrottleEntity, AuditLogEntity, UsageSampleEntity];
