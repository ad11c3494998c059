import { ArgsType, Field, GraphQLISODateTime, ID } from '@nestjs/graphql';
import { IsDate, IsOptional } from 'class-validator';
import { IsBase58Key } from '../../common/validators';
import { PageArgs } from './page.args';
import { RegionArgs } from './region.args';

@ArgsType()
export class EnvelopesArgs extends PageArgs(RegionArgs, "continue after this cursor (`pageInfo.endCursor` or an envelope's `cursor`); omit to start at the beginning") {
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
