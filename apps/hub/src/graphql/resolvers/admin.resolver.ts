import { Args, Int, Mutation, Resolver } from '@nestjs/graphql';
import type { AdminPrincipal } from '../../admin/admin-principal';
import type { RegionContext } from '../../regions/region.service';
import { CurrentAdmin, CurrentRegion, HubAdmin, RegionAdmin } from '../auth/guards';
import { CreateRegionArgs, ImportRegionArgs } from '../dto/admin.input';
import { PersonArgs } from '../dto/persons.args';
import { RestoreEnvelopesArgs, SetPersonTierArgs, SetQuotaPolicyArgs, SetSenderPolicyArgs } from '../dto/quota.args';
import { CreateRegionPayload } from '../models/admin.model';
import { Person } from '../models/person.model';
import { QuotaPolicy, SenderPolicySettings } from '../models/quota.model';
import { Region } from '../models/region.model';
import { QuotaQueryService } from '../services/quota-query.service';
import { RegionQueryService } from '../services/region-query.service';

/** Admin mutations; each one writes an audit record (auditLog). */
@Resolver()
export class AdminResolver {
  constructor(
    private readonly regions: RegionQueryService,
    private readonly quotas: QuotaQueryService,
  ) {}

  @HubAdmin()
  @Mutation(() => CreateRegionPayload, { description: 'A new region with fresh keys (hub admin). Hand `memberKeys` to its members.' })
  createRegion(@Args() args: CreateRegionArgs, @CurrentAdmin() admin: AdminPrincipal): Promise<CreateRegionPayload> {
    return this.regions.create(admin, args.name);
  }

  @HubAdmin()
  @Mutation(() => Region, { description: 'Carry an existing region, such as kiki\'s default one (hub admin).' })
  importRegion(@Args() args: ImportRegionArgs, @CurrentAdmin() admin: AdminPrincipal): Promise<Region> {
    return this.regions.import(admin, args);
  }

  @RegionAdmin()
  @Mutation(() => QuotaPolicy, { description: 'Changes the region\'s tier limits (admin of the region); a sweep then brings everyone within them.' })
  setQuotaPolicy(@Args() args: SetQuotaPolicyArgs, @CurrentRegion() region: RegionContext, @CurrentAdmin() admin: AdminPrincipal): Promise<QuotaPolicy> {
    return this.quotas.setPolicy(admin, region, args);
  }

  @RegionAdmin()
  @Mutation(() => Person, { description: 'Puts a person in a tier, optionally with their own limit (admin of the region); they are re-evaluated right away.' })
  setPersonTier(@Args() args: SetPersonTierArgs, @CurrentRegion() region: RegionContext, @CurrentAdmin() admin: AdminPrincipal): Promise<Person> {
    return this.quotas.setPersonTier(admin, region, args);
  }

  @RegionAdmin()
  @Mutation(() => Boolean, { description: 'Queues a quota evaluation of the person (admin of the region). False: the queue is unreachable; it is sent later.' })
  reevaluatePerson(@Args() args: PersonArgs, @CurrentRegion() region: RegionContext, @CurrentAdmin() admin: AdminPrincipal): Promise<boolean> {
    return this.quotas.reevaluate(admin, region, args.publicKey);
  }

  @RegionAdmin()
  @Mutation(() => SenderPolicySettings, { description: 'Sets what envelopes without a verified v2 signature may do in the region (admin of the region; docs/quotas.md).' })
  setSenderPolicy(@Args() args: SetSenderPolicyArgs, @CurrentRegion() region: RegionContext, @CurrentAdmin() admin: AdminPrincipal): Promise<SenderPolicySettings> {
    return this.quotas.setSenderPolicy(admin, region, args);
  }

  @RegionAdmin()
  @Mutation(() => Int, { description: 'Undoes evictions, erases or admin removals still within the retention period (admin of the region); returns how many envelopes came back.' })
  restoreEnvelopes(@Args() args: RestoreEnvelopesArgs, @CurrentRegion() region: RegionContext, @CurrentAdmin() admin: AdminPrincipal): Promise<number> {
    return this.quotas.restoreEnvelopes(admin, region, args.ids);
  }

  @RegionAdmin()
  @Mutation(() => Int, { description: "Undoes a person's erase (admin of the region): their erase letters are removed and what the erase removed within the retention period comes back; returns how many." })
  undoErase(@Args() args: PersonArgs, @CurrentRegion() region: RegionContext, @CurrentAdmin() admin: AdminPrincipal): Promise<number> {
    return this.quotas.undoErase(admin, region, args.publicKey);
  }
}
