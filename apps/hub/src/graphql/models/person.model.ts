import { Field, Float, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';
import { QuotaTier } from './quota-enums';

@ObjectType({ description: 'Someone who has sent envelopes to a region, seen from the hub (which holds no secret of theirs).' })
export class Person {
  @Field({ description: 'base58 public key (32 bytes): the person\'s identity in kiki' })
  publicKey: string;

  @Field(() => String, { nullable: true, complexity: 2, description: 'content of their newest public `action-assign/name` letter; null when they never named themselves' })
  name?: string | null;

  @Field(() => Float, { complexity: 2, description: 'bytes counted toward their quota in this region (sealed letters as base64 text; public actions are free)' })
  usage?: number;

  @Field(() => Int, { complexity: 2, description: 'envelopes of theirs the hub holds in this region' })
  envelopeCount?: number;

  @Field(() => QuotaTier, { complexity: 2, description: 'which of the region\'s limits applies (set by an admin)' })
  tier?: QuotaTier;

  @Field(() => Float, { nullable: true, complexity: 2, description: 'bytes allowed: their own override, else their tier\'s limit; null when unlimited' })
  limit?: number | null;

  @Field(() => Float, { nullable: true, complexity: 2, description: 'their own limit in bytes, replacing their tier\'s (set by an admin); null when none' })
  override?: number | null;

  @Field(() => Float, { nullable: true, complexity: 3, description: 'usage ÷ limit (1 = at the limit; a limit of 0 counts as 1 byte); null when unlimited' })
  pressure?: number | null;

  @Field(() => Float, { complexity: 3, description: 'bytes counted toward their quota that arrived in the last hour and are still held' })
  ingestBytesLastHour?: number;

  @Field(() => GraphQLISODateTime, { nullable: true, complexity: 3, description: 'when they reach their limit at the pace of their last hour (now when already there); null when unlimited or not growing' })
  projectedFullAt?: Date | null;

  /** internal: the region the person was read in (not a field) */
  regionId: number;
}
