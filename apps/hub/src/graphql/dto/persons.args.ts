import { ArgsType, Field, registerEnumType } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsString, Length } from 'class-validator';
import { IsBase58Key } from '../../common/validators';
import { PageArgs } from './page.args';
import { RegionArgs } from './region.args';

export enum PersonOrder {
  PUBLIC_KEY = 'publicKey',
  USAGE_DESC = 'usage',
  ENVELOPES_DESC = 'envelopes',
  PRESSURE_DESC = 'pressure',
}
registerEnumType(PersonOrder, {
  name: 'PersonOrder',
  valuesMap: {
    PUBLIC_KEY: { description: 'by public key, ascending' },
    USAGE_DESC: { description: 'largest quota usage first (ties by public key)' },
    ENVELOPES_DESC: { description: 'most envelopes first (ties by public key)' },
    PRESSURE_DESC: { description: 'highest usage ÷ limit first, people without a limit last (ties by public key)' },
  },
});

@ArgsType()
export class PersonArgs extends RegionArgs {
  @Field({ description: 'the person\'s base58 public key' })
  @IsBase58Key()
  publicKey: string;
}

@ArgsType()
export class PersonsArgs extends PageArgs(RegionArgs, 'continue after this cursor (`pageInfo.endCursor`), made with the same `orderBy` and `search`') {
  @Field(() => PersonOrder, { defaultValue: PersonOrder.PUBLIC_KEY })
  @IsEnum(PersonOrder)
  orderBy: PersonOrder = PersonOrder.PUBLIC_KEY;

  @Field(() => String, { nullable: true, description: 'only people whose public key starts with this text or whose name contains it (any case); 1 to 100 characters' })
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'search must be 1 to 100 characters' })
  search?: string;
}
