import { ArgsType, Field, Float, GraphQLISODateTime, Int } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDate, IsEnum, IsInt, IsNumber, IsOptional, Min } from 'class-validator';
import { EvictionReason, QuotaTier, SenderPolicy } from '../models/quota-enums';
import { IsBase58Key } from '../../common/validators';
import { PageArgs } from './page.args';
import { PersonArgs } from './persons.args';
import { RegionArgs } from './region.args';

@ArgsType()
export class EvictionsArgs extends PageArgs(RegionArgs) {
  @Field(() => String, { nullable: true, description: 'only evictions of this person (base58 public key)' })
  @IsOptional()
  @IsBase58Key()
  person?: string;

  @Field(() => EvictionReason, { nullable: true, description: 'only evictions for this reason' })
  @IsOptional()
  @IsEnum(EvictionReason)
  reason?: EvictionReason;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'only evictions at or after this time' })
  @IsOptional()
  @IsDate()
  since?: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'only evictions before this time' })
  @IsOptional()
  @IsDate()
  until?: Date;
}

@ArgsType()
export class SetQuotaPolicyArgs extends RegionArgs {
  @Field(() => Float, { nullable: true, description: 'new limit of the DEFAULT tier, in bytes; omit to keep' })
  @IsOptional()
  @IsNumber()
  defaultBytes?: number;

  @Field(() => Float, { nullable: true, description: 'new limit of the TRUSTED tier, in bytes; omit to keep' })
  @IsOptional()
  @IsNumber()
  trustedBytes?: number;
}

@ArgsType()
export class SetPersonTierArgs extends PersonArgs {
  @Field(() => QuotaTier)
  @IsEnum(QuotaTier)
  tier: QuotaTier;

  @Field(() => Float, { nullable: true, description: 'the person\'s own limit in bytes, replacing the tier\'s (not with UNLIMITED); omit or null for none' })
  @IsOptional()
  @IsNumber()
  overrideBytes?: number | null;
}

@ArgsType()
export class SetSenderPolicyArgs extends RegionArgs {
  @Field(() => SenderPolicy)
  @IsEnum(SenderPolicy)
  policy: SenderPolicy;

  @Field(() => Float, { nullable: true, description: 'under V2_FOR_QUOTA: bytes all unproven envelopes of the region share; omit to keep' })
  @IsOptional()
  @IsNumber()
  unprovenPoolBytes?: number;

  @Field(() => Float, { nullable: true, description: 'cap on the region\'s counted bytes; omit to keep, null to remove' })
  @IsOptional()
  @IsNumber()
  maxTotalBytes?: number | null;

  @Field(() => Int, { nullable: true, description: 'cap on the number of unproven senders the region counts (a new one past it is refused with UNPROVEN_SENDERS_FULL); omit to keep, null to remove; a number also recounts the senders from the live envelopes' })
  @IsOptional()
  @IsInt()
  @Min(0)
  maxUnprovenSenders?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'true: /r/<region>/* (but ping) needs a one-time sync token, as /sync does; this breaks unmodified original kiki instances; omit to keep' })
  @IsOptional()
  @IsBoolean()
  kikiRoutesRequireToken?: boolean;
}

@ArgsType()
export class RestoreEnvelopesArgs extends RegionArgs {
  @Field(() => [String], { description: 'kiki ids (base58) of removed envelopes, 1 to 1000; removals past the retention period cannot come back' })
  @IsArray()
  @ArrayMinSize(1, { message: 'ids is empty: send 1 or more' })
  @ArrayMaxSize(1000, { message: 'send at most 1000 ids per restoreEnvelopes' })
  @IsBase58Key('id', { each: true })
  ids: string[];
}
