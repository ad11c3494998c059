import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { EvictionReason, SenderPolicy } from './quota-enums';
import { PageInfo } from './page-info.model';
import { Person } from './person.model';

@ObjectType({ description: 'A region\'s per-person storage limits, in bytes of sealed letters.' })
export class QuotaPolicy {
  @Field(() => Float, { description: 'limit of people in the DEFAULT tier' }) defaultBytes: number;
  @Field(() => Float, { description: 'limit of people in the TRUSTED tier' }) trustedBytes: number;
}

@ObjectType({ description: 'Who is proven in a region, and what unproven envelopes may do (docs/quotas.md)' })
export class SenderPolicySettings {
  @Field(() => SenderPolicy) policy: SenderPolicy;
  @Field(() => Float, { description: 'under V2_FOR_QUOTA: bytes all unproven envelopes of the region share' }) unprovenPoolBytes: number;
  @Field(() => Float, { nullable: true, description: 'cap on the region\'s counted bytes (ingest refuses what goes past it with REGION_FULL); null: none' })
  maxTotalBytes: number | null;
  @Field(() => Int, { nullable: true, description: 'cap on the number of unproven senders the region counts (a new one past it is refused with UNPROVEN_SENDERS_FULL); null: none' })
  maxUnprovenSenders: number | null;
  @Field(() => Int, { description: 'unproven senders the region counts now (kept only while maxUnprovenSenders is set)' })
  unprovenSenders: number;
  @Field({ description: 'true: /r/<region>/* (but ping) needs a one-time sync token; unmodified original instances can then no longer sync' })
  kikiRoutesRequireToken: boolean;
}

@ObjectType({ description: 'One envelope the hub removed. Its id stays as a tombstone, so it cannot be pushed back.' })
export class Eviction {
  @Field(() => ID, { description: 'order of evictions in the region (newest is largest)' }) evictionId: string;
  @Field({ description: 'kiki id of the removed envelope' }) envelopeId: string;
  @Field(() => Person, { description: 'the envelope\'s sender' }) person: Person;
  @Field(() => EvictionReason) reason: EvictionReason;
  @Field(() => Int, { description: 'kiki size of the removed envelope' }) size: number;
  @Field(() => String, { nullable: true, description: 'letter purpose, when it was a public letter' }) purpose: string | null;
  @Field(() => Float, { nullable: true, description: 'the person\'s limit when evicted; null for ERASE' }) limitBytes: number | null;
  @Field(() => GraphQLISODateTime) evictedAt: Date;
}

@ObjectType()
export class EvictionEdge {
  @Field() cursor: string;
  @Field(() => Eviction) node: Eviction;
}

@ObjectType({ description: 'Evictions of a region, newest first.' })
export class EvictionConnection {
  @Field(() => [EvictionEdge]) edges: EvictionEdge[];
  @Field(() => [Eviction]) nodes: Eviction[];
  @Field(() => PageInfo, { description: 'hasNextPage may be true on a last full page; the next page is then empty' }) pageInfo: PageInfo;
}

@ObjectType({ description: 'What a quota change would evict right now (a dry run: nothing changed), by the quota workers\' own rule.' })
export class EvictionPreview {
  @Field(() => Int, { description: 'people who would lose envelopes' }) people: number;
  @Field(() => Int, { description: 'envelopes that would be evicted' }) envelopes: number;
  @Field(() => Float, { description: 'bytes (counted toward quotas) that would be freed' }) bytes: number;
  @Field({ description: 'false when more than 1,000 people would be over their limit: `people` counts them all, `envelopes` and `bytes` the 1,000 largest' })
  complete: boolean;
}
