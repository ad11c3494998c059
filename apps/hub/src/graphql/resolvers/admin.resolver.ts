import { UseGuards } from '@nestjs/common';
import { Args, Int, Mutation, Resolver } from '@nestjs/graphql';
import type { RegionContext } from '../../regions/region.service';
import { AdminGuard, CurrentRegion, RegionMemberGuard } from '../auth/guards';
import { CreateRegionArgs, ImportRegionArgs } from '../dto/admin.input';
import { PersonKeyArgs, RestoreEnvelopesArgs, SetPersonTierArgs, SetQuotaPolicyArgs, SetSenderPolicyArgs } from '../dto/quota.args';
import { CreateRegionPayload } from '../models/admin.model';
import { Person } from '../models/person.model';
import { QuotaPolicy, SenderPolicySettings } from '../models/quota.model';
import { Region } from '../models/region.model';
import { QuotaQueryService } from '../services/quota-query.service';
import { RegionQueryService } from '../services/region-query.service';

/** Operator mutations (Authorization: Bearer <ADMIN_TOKEN>); the region ones also resolve their region. */
@UseGuards(AdminGuard)
@Resolver()
export class AdminResolver {
  constructor(
    private readonly regions: RegionQueryService,
    private readonly quotas: QuotaQueryService,
  ) {}

  @Mutation(() => CreateRegionPayload, { description: 'A new region with fresh keys (admin). Hand `memberKeys` to its members.' })
  createRegion(@Args() args: CreateRegionArgs): Promise<CreateRegionPayload> {
    return this.regions.create(args.name);
  }

  @Mutation(() => Region, { description: 'Carry an existing region, such as kiki\'s default one (admin).' })
  importRegion(@Args() args: ImportRegionArgs): Promise<Region> {
    return this.regions.import(args);
  }

  @UseGuards(RegionMemberGuard)
  @Mutation(() => QuotaPolicy, { description: 'Changes the region\'s tier limits (admin); a sweep then brings everyone within them.' })
  setQuotaPolicy(@Args() args: SetQuotaPolicyArgs, @CurrentRegion() region: RegionContext): Promise<QuotaPolicy> {
    return this.quotas.setPolicy(region, args);
  }

  @UseGuards(RegionMemberGuard)
  @Mutation(() => Person, { description: 'Puts a person in a tier, optionally with their own limit (admin); they are re-evaluated right away.' })
  setPersonTier(@Args() args: SetPersonTierArgs, @CurrentRegion() region: RegionContext): Promise<Person> {
    return this.quotas.setPersonTier(region, args);
  }

  @UseGuards(RegionMemberGuard)
  @Mutation(() => Boolean, { description: 'Queues a quota evaluation of the person (admin). False: the queue is unreachable; it is sent later.' })
  reevaluatePerson(@Args() args: PersonKeyArgs, @CurrentRegion() region: RegionContext): Promise<boolean> {
    return this.quotas.reevaluate(region, args.publicKey);
  }

  @UseGuards(RegionMemberGuard)
  @Mutation(() => SenderPolicySettings, { description: 'Sets what envelopes without a verified v2 signature may do in the region (admin; docs/quotas.md).' })
  setSenderPolicy(@Args() args: SetSenderPolicyArgs, @CurrentRegion() region: RegionContext): Promise<SenderPolicySettings> {
    return this.quotas.setSenderPolicy(region, args);
  }

  @UseGuards(RegionMemberGuard)
  @Mutation(() => Int, { description: 'Undoes evictions, erases or admin removals still within the retention period (admin); returns how many envelopes came back.' })
  restoreEnvelopes(@Args() args: RestoreEnvelopesArgs, @CurrentRegion() region: RegionContext): Promise<number> {
    return this.quotas.restoreEnvelopes(region, args.ids);
  }

  @UseGuards(RegionMemberGuard)
  @Mutation(() => Int, { description: "Undoes a person's erase (admin): their erase letters are removed and what the erase removed within the retention period comes back; returns how many." })
  undoErase(@Args() args: PersonKeyArgs, @CurrentRegion() region: RegionContext): Promise<number> {
    return this.quotas.undoErase(region, args.publicKey);
  }
}
