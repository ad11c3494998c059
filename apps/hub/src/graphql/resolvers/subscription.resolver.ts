import { UseGuards } from '@nestjs/common';
import { Args, Resolver, Subscription } from '@nestjs/graphql';
import type { RegionContext } from '../../regions/region.service';
import { CurrentRegion, RegionMemberGuard } from '../auth/guards';
import { RegionArgs } from '../dto/region.args';
import { Envelope } from '../models/envelope.model';
import { Eviction } from '../models/quota.model';
import { EnvelopeEvents } from '../services/envelope-events.service';
import { EvictionEvents } from '../services/eviction-events.service';

/** Over graphql-ws at /graphql; the membership token goes in connectionParams.authorization. */
@UseGuards(RegionMemberGuard)
@Resolver()
export class SubscriptionResolver {
  constructor(
    private readonly envelopes: EnvelopeEvents,
    private readonly evictions: EvictionEvents,
  ) {}

  @Subscription(() => Envelope, {
    resolve: (envelope: Envelope) => envelope,
    description: 'Each envelope stored in the region from now on, by any route and any hub process. After a gap, catch up with `envelopes(after:)`.',
  })
  envelopeAdded(@Args() _args: RegionArgs, @CurrentRegion() region: RegionContext): Promise<AsyncIterableIterator<Envelope>> {
    return this.envelopes.envelopeAdded(region);
  }

  @Subscription(() => Eviction, {
    resolve: (eviction: Eviction) => eviction,
    description: 'Each envelope the hub removes from the region from now on (quota, erase), within about a second. The `evictions` query is the record.',
  })
  evictionHappened(@Args() _args: RegionArgs, @CurrentRegion() region: RegionContext): Promise<AsyncIterableIterator<Eviction>> {
    return this.evictions.evictionHappened(region);
  }
}
