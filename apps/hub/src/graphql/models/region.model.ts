import { Field, Float, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';
import { QuotaPolicy, SenderPolicySettings } from './quota.model';

@ObjectType({ description: 'What arrived in a region during the last hour (removed since included).' })
export class IngestWindow {
  @Field(() => Float) envelopes: number;
  @Field(() => Float, { description: 'bytes counted toward quotas' }) bytes: number;
}

@ObjectType({ description: 'Live totals of one region, kept up to date on every write (cheap to read).' })
export class RegionStats {
  @Field(() => Float, { description: 'live envelopes (removed ones excluded)' }) envelopes: number;
  @Field(() => Float, { description: 'bytes counted toward quotas' }) bytes: number;
  @Field(() => Int, { description: 'people with at least one live envelope' }) people: number;
  @Field(() => Int, { complexity: 3, description: 'people whose usage is over their limit (the quota workers are evicting, or about to)' })
  peopleOverLimit?: number;
  @Field(() => Int, { complexity: 3, description: 'people within 10 % of their limit (90 % to 100 % of it)' })
  peopleNearLimit?: number;
  @Field(() => IngestWindow, { complexity: 3 }) ingestLastHour?: IngestWindow;

  /** internal: the region (not a field) */
  regionId: number;
}

@ObjectType({ description: 'A region (a kiki network) carried by this hub. Its public key is its identity.' })
export class Region {
  @Field({ description: 'base58 region public key' }) publicKey: string;
  @Field() name: string;
  @Field({ description: 'the hub\'s own person key in this region (what original kiki instances see)' }) hubPublicKey: string;
  @Field(() => Int, { description: 'largest envelope accepted, in bytes' }) maxEnvelopeBytes: number;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => RegionStats, { complexity: 5 }) stats?: RegionStats;
  @Field(() => QuotaPolicy, { complexity: 2 }) quotaPolicy?: QuotaPolicy;
  @Field(() => SenderPolicySettings, { complexity: 2 }) senderPolicy?: SenderPolicySettings;

  /** internal: the region's row id (not a field) */
  regionId: number;
  /** internal: the tier limits, when the row they came from was just read */
  policy?: QuotaPolicy;
}
