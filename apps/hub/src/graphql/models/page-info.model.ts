import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Relay page information. Paging is forward only (`first` / `after`).' })
export class PageInfo {
  @Field({ description: 'true when more items follow this page right now' })
  hasNextPage: boolean;

  @Field({ description: 'always false: pages are read forward from a cursor' })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: 'cursor of the first item of this page' })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: 'cursor of the last item; pass it as `after` for the next page. Null on an empty page: keep the `after` you sent.' })
  endCursor: string | null;
}
