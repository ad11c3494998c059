import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits';

type ArgsClass = new (...args: any[]) => object;

/** A class with no arguments of its own, for paged fields that take nothing else (or only optional ones). */
@ArgsType()
export class NoArgs {}

/**
 * `first`/`after` of every paged field, with the one page-size bound (1 to MAX_PAGE_SIZE) and its
 * messages: `class EnvelopesArgs extends PageArgs(RegionArgs, '…') { … }`. `after` says what the
 * cursor must have been made with, where that differs from field to field.
 */
export function PageArgs<TBase extends ArgsClass>(Base: TBase, afterDescription = 'continue after this cursor (`pageInfo.endCursor`)') {
  @ArgsType()
  class Paged extends Base {
    @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `page size, 1 to ${MAX_PAGE_SIZE}` })
    @IsInt()
    @Min(1, { message: 'first must be at least 1' })
    @Max(MAX_PAGE_SIZE, { message: `first may be at most ${MAX_PAGE_SIZE}: page through the rest with \`after\`` })
    first: number = DEFAULT_PAGE_SIZE;

    @Field(() => String, { nullable: true, description: afterDescription })
    @IsOptional()
    @IsString()
    after?: string;
  }
  return Paged;
}
