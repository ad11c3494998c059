import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IsRegionKey } from '../../common/validators';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './limits';

@ArgsType()
export class AuditLogArgs {
  @Field(() => String, { nullable: true, description: 'only this region (public key); omitted: every region in your scope (hub admins: hub-wide actions too)' })
  @IsOptional()
  @IsRegionKey()
  region?: string;

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
