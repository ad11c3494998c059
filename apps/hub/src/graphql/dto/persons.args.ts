import { ArgsType, Field, Int, registerEnumType } from '@nestjs/graphql';
import { IsEnum, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits';
import { RegionArgs } from './region.args';

export enum PersonOrder {
  PUBLIC_KEY = 'publicKey',
  USAGE_DESC = 'usage',
  ENVELOPES_DESC = 'envelopes',
}
registerEnumType(PersonOrder, {
  name: 'PersonOrder',
  valuesMap: {
    PUBLIC_KEY: { description: 'by public key, ascending' },
    USAGE_DESC: { description: 'largest quota usage first (ties by public key)' },
    ENVELOPES_DESC: { description: 'most envelopes first (ties by public key)' },
  },
});

@ArgsType()
export class PersonArgs extends RegionArgs {
  @Field({ description: 'the person\'s base58 public key' })
  @IsString()
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

  @Field(() => String, { nullable: true, description: 'continue after this cursor (`pageInfo.endCursor`), made with the same `orderBy`' })
  @IsOptional()
  @IsString()
  after?: string;
}
