import { ArgsType, Field } from '@nestjs/graphql';
import { IsOptional } from 'class-validator';
import { IsRegionKey } from '../../common/validators';
import { NoArgs, PageArgs } from './page.args';

@ArgsType()
export class AuditLogArgs extends PageArgs(NoArgs) {
  @Field(() => String, { nullable: true, description: 'only this region (public key); omitted: every region in your scope (hub admins: hub-wide actions too)' })
  @IsOptional()
  @IsRegionKey()
  region?: string;
}
