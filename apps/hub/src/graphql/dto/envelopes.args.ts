import { ArgsType, Field, GraphQLISODateTime, ID, Int } from '@nestjs/graphql';
import { IsDate, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IsBase58Key } from '../../common/validators';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits';
import { RegionArgs } from './region.args';

@ArgsType()
export class EnvelopesArgs extends RegionArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `page size, 1 to ${MAX_PAGE_SIZE}` })
  @IsInt()
  @Min(1, { message: 'first must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `first may be at most ${MAX_PAGE_SIZE}: page through the rest with \`after\`` })
  first: number = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true, description: 'continue after this cursor (`pageInfo.endCursor` or an envelope\'s `cursor`); omit to start at the beginning' })
  @IsOptional()
  @IsString()
  after?: string;

  @Field(() => String, { nullable: true, description: 'only envelopes from this sender (base58 public key)' })
  @IsOptional()
  @IsBase58Key()
  sender?: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'only envelopes whose own timestamp is at or after this time' })
  @IsOptional()
  @IsDate()
  since?: Date;
}

@ArgsType()
export class EnvelopeArgs extends RegionArgs {
  @Field(() => ID, { description: 'the kiki id (base58)' })
  @IsBase58Key('id')
  id: string;
}
