import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AdminAccountService, type IssuedSession } from '../../admin/admin-account.service';
import type { AdminPrincipal } from '../../admin/admin-principal';
import { clientIp } from '../../admin/client-ip';
import { HubConfig } from '../../config/hub-config';
import { AnyAdmin, CurrentAdmin, Public } from '../auth/guards';
import type { GqlContext } from '../auth/gql-context';
import { AdminLoginArgs } from '../dto/admin-session.args';
import { AdminAccount, AdminRole, AdminSession } from '../models/admin-account.model';

function toSession(s: IssuedSession): AdminSession {
  return { token: s.token, expiresAt: s.expiresAt, absoluteExpiresAt: s.absoluteExpiresAt, admin: { username: s.account.username, role: s.account.role as AdminRole, regions: s.account.regions } };
}

/** Admin accounts' sessions: login (no credential needed), refresh, logout, and who am I. */
@Resolver()
export class AdminSessionResolver {
  constructor(
    private readonly accounts: AdminAccountService,
    private readonly config: HubConfig,
  ) {}

  @Public()
  @Mutation(() => AdminSession, {
    description: 'Logs an admin account in. Throttled per account and per client address: RATE_LIMITED with `extensions.retryAfter` (seconds).',
  })
  async adminLogin(@Args() args: AdminLoginArgs, @Context() ctx: GqlContext): Promise<AdminSession> {
    return toSession(await this.accounts.login(args.username, args.password, clientIp(ctx.req, this.config.ADMIN_TRUSTED_PROXIES)));
  }

  @AnyAdmin()
  @Mutation(() => AdminSession, { description: 'A new token for the session sending it (which ends); its absolute expiry stays.' })
  async adminRefreshSession(@CurrentAdmin() admin: AdminPrincipal): Promise<AdminSession> {
    return toSession(await this.accounts.refresh(admin));
  }

  @AnyAdmin()
  @Mutation(() => Boolean, { description: 'Ends the session sending it.' })
  adminLogout(@CurrentAdmin() admin: AdminPrincipal): Promise<boolean> {
    return this.accounts.logout(admin);
  }

  @AnyAdmin()
  @Query(() => AdminAccount, { description: 'The admin behind the credential sent (admin).' })
  me(@CurrentAdmin() admin: AdminPrincipal): AdminAccount {
    return { username: admin.actor, role: admin.hub ? AdminRole.HUB_ADMIN : AdminRole.REGION_ADMIN, regions: [...admin.regionKeys].sort() };
  }
}
