import { applyDecorators, type CanActivate, createParamDecorator, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { AdminPrincipal } from '../../admin/admin-principal';
import type { RegionContext } from '../../regions/region.service';
import type { GqlContext } from './gql-context';

/** The region a root field is about: its `region` argument (or `publicKey` for `region(publicKey)`). */
function regionKey(args: Record<string, unknown>): unknown {
  return args.region ?? args.publicKey;
}

function gqlOf(context: ExecutionContext) {
  const gql = GqlExecutionContext.create(context);
  return { auth: gql.getContext<GqlContext>().auth, args: gql.getArgs<Record<string, unknown>>() };
}

/**
 * Region-scoped fields: a fresh membership token for that region, or an admin whose scope
 * includes it (ADMIN_TOKEN and hub admins: every region; region admins: their regions).
 */
@Injectable()
export class RegionMemberGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { auth, args } = gqlOf(context);
    await auth.region(regionKey(args));
    return true;
  }
}

/** Hub-admin fields: `Bearer <ADMIN_TOKEN>` or a HUB_ADMIN session. Region admins get FORBIDDEN. */
@Injectable()
export class HubAdminGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    await gqlOf(context).auth.requireHubAdmin();
    return true;
  }
}

/** Kept for code written before admin accounts: the operator-only guard is the hub-admin guard. */
export const AdminGuard = HubAdminGuard;

/**
 * Fields of any admin (hub or region). A `region` argument, when given, must be in the admin's
 * scope (as with RegionAdminGuard); without one the resolver narrows what it returns to
 * `@CurrentAdmin()`'s scope.
 */
@Injectable()
export class AnyAdminGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { auth, args } = gqlOf(context);
    const key = regionKey(args);
    if (key !== undefined && key !== null) await auth.requireRegionAdmin(key);
    else await auth.admin();
    return true;
  }
}

/**
 * Admin fields about one region (the `region` argument): hub admins for any region, region
 * admins for theirs only — anything else is FORBIDDEN, unknown regions included. Membership
 * tokens never pass.
 */
@Injectable()
export class RegionAdminGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { auth, args } = gqlOf(context);
    await auth.requireRegionAdmin(regionKey(args));
    return true;
  }
}

/** Lets everyone through: marks a field that is public on purpose (adminLogin), so the guard rule still holds. */
@Injectable()
export class PublicGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

/** A field anyone may call (it checks what it needs itself, e.g. a password). */
export const Public = () => applyDecorators(UseGuards(PublicGuard));
/** Only hub admins (ADMIN_TOKEN or a HUB_ADMIN session). Apply to a resolver class or method. */
export const HubAdmin = () => applyDecorators(UseGuards(HubAdminGuard));
/** Any admin; the resolver must narrow what it returns to `@CurrentAdmin()`'s scope. */
export const AnyAdmin = () => applyDecorators(UseGuards(AnyAdminGuard));
/** An admin in scope of the field's `region` argument; use `@CurrentRegion()` for the region. */
export const RegionAdmin = () => applyDecorators(UseGuards(RegionAdminGuard));

/** The RegionContext that a guard authorized for this field. */
export const CurrentRegion = createParamDecorator((_: unknown, context: ExecutionContext): RegionContext => {
  const { auth, args } = gqlOf(context);
  return auth.grantedRegion(regionKey(args) as string);
});

/** The admin a guard checked for this field. */
export const CurrentAdmin = createParamDecorator((_: unknown, context: ExecutionContext): AdminPrincipal => gqlOf(context).auth.grantedAdmin());

/** The per-request person loader (DataLoader). */
export const Persons = createParamDecorator((_: unknown, context: ExecutionContext) => GqlExecutionContext.create(context).getContext<GqlContext>().persons);

/** The per-request region loader (DataLoader). */
export const Regions = createParamDecorator((_: unknown, context: ExecutionContext) => GqlExecutionContext.create(context).getContext<GqlContext>().regions);
