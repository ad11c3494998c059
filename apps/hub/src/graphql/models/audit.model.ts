import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { PageInfo } from './page-info.model';

@ObjectType({ description: 'One admin action: who, what, where, before -> after.' })
export class AuditEntry {
  @Field(() => ID, { description: 'order of the log (newest is largest)' }) id: string;
  @Field({ description: 'username of the admin account, `ADMIN_TOKEN`, or `cli:<user>` for `npm run hub -- admin`' }) actor: string;
  @Field({ description: 'the mutation or command, e.g. `setPersonTier`, `setQuotaPolicy`, `admin.grant`' }) action: string;
  @Field(() => String, { nullable: true, description: 'region public key; null for hub-wide actions' }) region: string | null;
  @Field(() => String, { nullable: true, description: 'what the action was about inside the region, e.g. a person\'s public key or a username' }) target: string | null;
  @Field(() => String, { nullable: true, description: 'JSON text of the state before' }) before: string | null;
  @Field(() => String, { nullable: true, description: 'JSON text of the state after' }) after: string | null;
  @Field(() => GraphQLISODateTime) at: Date;
}

@ObjectType()
export class AuditEntryEdge {
  @Field() cursor: string;
  @Field(() => AuditEntry) node: AuditEntry;
}

@ObjectType({ description: 'Audit entries, newest first.' })
export class AuditEntryConnection {
  @Field(() => [AuditEntryEdge]) edges: AuditEntryEdge[];
  @Field(() => [AuditEntry]) nodes: AuditEntry[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}
