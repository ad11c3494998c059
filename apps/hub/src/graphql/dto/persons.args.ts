import { ArgsType, Field, Int, registerEnumType } from '@nestjs/graphql';
import { IsEnum, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsBase58Key } from '../../common/validators';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits';
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
export class PersonsArgs extends RegionArgs {
  @Field(() => PersonOrder, { defaultValue: PersonOrder.PUBLIC_KEY })
  @IsEnum(PersonOrder)
  orderBy: PersonOrder = PersonOrder.PUBLIC_KEY;

  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `page size, 1 to ${MAX_PAGE_SIZE}` })
  @IsInt()
  @Min(1, { message: 'first must be at least 1' })
  @Max(MAX_PAGE_SIZE, { message: `first may be at most ${MAX_PAGE_SIZE}: page through the rest with \`after\`` })
  first: number = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true, description: 'continue after this cursor (`pageInfo.endCursor`), made with the same `orderBy` and `search`' })
  @IsOptional()
  @IsString()
  after?: string;

  @Field(() => String, { nullable: true, description: 'only people whose public key starts with this text or whose name contains it (any case); 1 to 100 characters' })
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'search must be 1 to 100 characters' })
  search?: string;
}
