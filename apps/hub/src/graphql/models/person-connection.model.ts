import { Field, ObjectType } from '@nestjs/graphql';
import { PageInfo } from './page-info.model';
import { Person } from './person.model';

@ObjectType()
export class PersonEdge {
  @Field() cursor: string;
  @Field(() => Person) node: Person;
}

@ObjectType({ description: 'A page of people of a region.' })
export class PersonConnection {
  @Field(() => [PersonEdge]) edges: PersonEdge[];
  @Field(() => [Person]) nodes: Person[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}
