import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { RegionContext } from '../../regions/region.service';
import type { GqlContext } from './gql-context';

/** The region a root field is about: its `region` argument (or `publicKey` for `region(publicKey)`). */
function regionKey(args: Record<string, unknown>): unknown {
  return args.region ?? args.publicKey;
}

/** Region-scoped fields: a fresh membership token for that region, or the admin token. */
@Injectable()
export class RegionMemberGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const gql = GqlExecutionContext.create(context);
    await gql.getContext<GqlContext>().auth.region(regionKey(gql.getArgs()));
    return true;
  }
}

/** Operator-only fields: `Authorization: Bearer <ADMIN_TOKEN>`. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    GqlExecutionContext.create(context).getContext<GqlContext>().auth.requireAdmin();
    return true;
  }
}

/** The RegionContext that RegionMemberGuard authorized for this field. */
export const CurrentRegion = createParamDecorator((_: unknown, context: ExecutionContext): RegionContext => {
  const gql = GqlExecutionContext.create(context);
  return gql.getContext<GqlContext>().auth.grantedRegion(regionKey(gql.getArgs()) as string);
});

/** The per-request person loader (DataLoader). */
export const Persons = createParamDecorator((_: unknown, context: ExecutionContext) => GqlExecutionContext.create(context).getContext<GqlContext>().persons);

/** The per-request region loader (DataLoader). */
export const Regions = createParamDecorator((_: unknown, context: ExecutionContext) => GqlExecutionContext.create(context).getContext<GqlContext>().regions);
