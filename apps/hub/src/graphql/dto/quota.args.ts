import { ArgsType, Field, Float, GraphQLISODateTime, Int } from '@nestjs/graphql';
import { IsDate, IsEnum, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { EvictionReason, QuotaTier } from '../models/quota-enums';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits';
import { RegionArgs } from './region.args';

@ArgsType()
export class EvictionsArgs extends RegionArgs {
  @Field(() => String, { nullable: true, description: 'only evictions of this person (base58 public key)' })
  @IsOptional()
  @IsString()
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

  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `page size, 1 to ${MAX_PAGE_SIZE}` })
  @IsInt()
  @Min(1, { message: 'first must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `first may be at most ${MAX_PAGE_SIZE}: page through the rest with \`after\`` })
  first: number = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true, description: 'continue after this cursor (`pageInfo.endCursor`)' })
  @IsOptional()
  @IsString()
  after?: string;
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
export class SetPersonTierArgs extends RegionArgs {
  @Field({ description: 'the person\'s base58 public key' })
  @IsString()
  publicKey: string;

  @Field(() => QuotaTier)
  @IsEnum(QuotaTier)
  tier: QuotaTier;

  @Field(() => Float, { nullable: true, description: 'the person\'s own limit in bytes, replacing the tier\'s (not with UNLIMITED); omit or null for none' })
  @IsOptional()
  @IsNumber()
  overrideBytes?: number | null;
}

@ArgsType()
export class PersonKeyArgs extends RegionArgs {
  @Field({ description: 'the person\'s base58 public key' })
  @IsString()
  publicKey: string;
}
