import { Field, GraphQLISODateTime, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum AdminRole {
  HUB_ADMIN = 'hub',
  REGION_ADMIN = 'region',
}
registerEnumType(AdminRole, {
  name: 'AdminRole',
  valuesMap: {
    HUB_ADMIN: { description: 'every region, the queues, creating regions' },
    REGION_ADMIN: { description: 'only the regions granted to the account (`npm run hub -- admin grant`)' },
  },
});

@ObjectType({ description: 'An admin account (or, for `Bearer <ADMIN_TOKEN>`, the operator: username `ADMIN_TOKEN`, HUB_ADMIN).' })
export class AdminAccount {
  @Field() username: string;
  @Field(() => AdminRole) role: AdminRole;
  @Field(() => [String], { description: 'public keys of the regions granted (region admins); empty for hub admins, who see every region' })
  regions: string[];
}

@ObjectType({ description: 'An admin session: send `Authorization: Bearer <token>` until `expiresAt`, refresh before then.' })
export class AdminSession {
  @Field({ description: 'opaque; shown once (the hub keeps only its hash)' }) token: string;
  @Field(() => GraphQLISODateTime, { description: 'the token stops working then (ADMIN_SESSION_TTL_SECONDS after it was issued) unless refreshed' })
  expiresAt: Date;
  @Field(() => GraphQLISODateTime, { description: 'no refresh goes past this (ADMIN_SESSION_MAX_SECONDS after login)' })
  absoluteExpiresAt: Date;
  @Field(() => AdminAccount) admin: AdminAccount;
}
