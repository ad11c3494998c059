import { Field, ObjectType } from '@nestjs/graphql';
import { Envelope } from './envelope.model';
import { PageInfo } from './page-info.model';

@ObjectType()
export class EnvelopeEdge {
  @Field() cursor: string;
  @Field(() => Envelope) node: Envelope;
}

@ObjectType({ description: 'A page of envelopes in the region\'s commit order (stable while others write).' })
export class EnvelopeConnection {
  @Field(() => [EnvelopeEdge]) edges: EnvelopeEdge[];
  @Field(() => [Envelope], { description: 'the nodes of `edges`, for clients that do not need per-edge cursors' }) nodes: Envelope[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}
