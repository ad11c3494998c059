import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import type { AdminPrincipal } from '../../admin/admin-principal';
import { AuditService } from '../../admin/audit.service';
import { AnyAdmin, CurrentAdmin } from '../auth/guards';
import type { GqlContext } from '../auth/gql-context';
import { AuditLogArgs } from '../dto/audit.args';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../dto/limits';
import { pageComplexity } from '../limits';
import { AuditEntryConnection } from '../models/audit.model';
import { auditCursor, parseAuditCursor } from '../services/cursors';
import { page } from '../services/mappers';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @AnyAdmin()
  @Query(() => AuditEntryConnection, {
    complexity: pageComplexity(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    description: 'Admin actions, newest first (admin): of one region in your scope, or of every region in it.',
  })
  async auditLog(@Args() args: AuditLogArgs, @CurrentAdmin() admin: AdminPrincipal, @Context() ctx: GqlContext): Promise<AuditEntryConnection> {
    const regionIds = args.region ? [ctx.auth.grantedRegion(args.region).regionId] : admin.hub ? null : [...admin.regionIds];
    const rows = await this.audit.page({ regionIds, before: parseAuditCursor(args.after), limit: args.first + 1 });
    return page(rows, args.first, (r) => ({ id: r.auditId, actor: r.actor, action: r.action, region: r.region, target: r.target, before: r.before, after: r.after, at: r.at }), (r) => auditCursor(r.auditId));
  }
}
