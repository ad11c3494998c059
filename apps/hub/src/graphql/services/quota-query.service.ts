import { Injectable } from '@nestjs/common';
import { RegionService, type RegionContext } from '../../regions/region.service';
import { type EvictionView, QuotaService } from '../../quota/quota.service';
import type { EvictionsArgs, SetPersonTierArgs, SetQuotaPolicyArgs, SetSenderPolicyArgs } from '../dto/quota.args';
import type { Person } from '../models/person.model';
import { EvictionReason, QuotaTier, SenderPolicy } from '../models/quota-enums';
import type { Eviction, EvictionConnection, QuotaPolicy, SenderPolicySettings } from '../models/quota.model';
import { evictionCursor, parseEvictionCursor } from './cursors';

export function toEviction(regionId: number, e: EvictionView): Eviction {
  return {
    evictionId: e.evictionId,
    envelopeId: e.envelopeId,
    person: { publicKey: e.person, regionId },
    reason: e.reason as EvictionReason,
    size: e.size,
    purpose: e.purpose,
    limitBytes: e.limitBytes,
    evictedAt: e.evictedAt,
  };
}

/** The GraphQL face of the quota service (apps/hub/src/quota): policies, tiers, evictions. */
@Injectable()
export class QuotaQueryService {
  constructor(
    private readonly quota: QuotaService,
    private readonly regions: RegionService,
  ) {}

  /** Read fresh (the region cache may be older than an admin's change), unless the row was just read. */
  async policy(region: { regionId: number; policy?: QuotaPolicy }): Promise<QuotaPolicy> {
    return region.policy ?? this.quota.getPolicy(region);
  }

  async setPolicy(region: RegionContext, args: SetQuotaPolicyArgs): Promise<QuotaPolicy> {
    const policy = await this.quota.setRegionPolicy(region, { defaultBytes: args.defaultBytes ?? undefined, trustedBytes: args.trustedBytes ?? undefined });
    this.regions.invalidate(region.publicKey);
    return policy;
  }

  async setPersonTier(region: RegionContext, args: SetPersonTierArgs): Promise<Person> {
    const q = await this.quota.setPersonTier(region, args.publicKey, args.tier, args.overrideBytes ?? null);
    return { publicKey: q.person, regionId: region.regionId, tier: q.tier as QuotaTier, limit: q.limit, usage: q.usage.bytes, envelopeCount: q.usage.envelopes };
  }

  /** Read fresh, like the tier limits. */
  async senderPolicy(region: { regionId: number }): Promise<SenderPolicySettings> {
    const s = await this.quota.getSenderPolicy(region);
    return { policy: s.policy as SenderPolicy, unprovenPoolBytes: s.unprovenPoolBytes, maxTotalBytes: s.maxTotalBytes };
  }

  async setSenderPolicy(region: RegionContext, args: SetSenderPolicyArgs): Promise<SenderPolicySettings> {
    const s = await this.quota.setSenderPolicy(region, args.policy, args.unprovenPoolBytes ?? undefined, args.maxTotalBytes);
    this.regions.invalidate(region.publicKey);
    return { policy: s.policy as SenderPolicy, unprovenPoolBytes: s.unprovenPoolBytes, maxTotalBytes: s.maxTotalBytes };
  }

  restoreEnvelopes(region: RegionContext, ids: string[]): Promise<number> {
    return this.quota.restoreEnvelopes(region, ids);
  }

  undoErase(region: RegionContext, publicKey: string): Promise<number> {
    return this.quota.undoErase(region, publicKey);
  }

  reevaluate(region: RegionContext, publicKey: string): Promise<boolean> {
    return this.quota.evaluate(region, publicKey);
  }

  async evictions(region: RegionContext, args: EvictionsArgs): Promise<EvictionConnection> {
    const page = await this.quota.listEvictions(region, { person: args.person ?? null, before: parseEvictionCursor(args.after) ?? null, limit: args.first });
    const edges = page.items.map((e) => ({ cursor: evictionCursor(e.evictionId), node: toEviction(region.regionId, e) }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: { hasNextPage: page.next !== null, hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor: edges[edges.length - 1]?.cursor ?? null },
    };
  }
}
