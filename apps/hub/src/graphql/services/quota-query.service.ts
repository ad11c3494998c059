import { Injectable } from '@nestjs/common';
import type { AdminPrincipal } from '../../admin/admin-principal';
import { AuditService } from '../../admin/audit.service';
import { RegionService, type RegionContext } from '../../regions/region.service';
import { type EvictionView, QuotaService } from '../../quota/quota.service';
import type { EvictionsArgs, SetPersonTierArgs, SetQuotaPolicyArgs, SetSenderPolicyArgs } from '../dto/quota.args';
import type { Person } from '../models/person.model';
import { EvictionReason, QuotaTier, SenderPolicy } from '../models/quota-enums';
import type { Eviction, EvictionConnection, EvictionPreview, QuotaPolicy, SenderPolicySettings } from '../models/quota.model';
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
    private readonly audit: AuditService,
  ) {}

  /** Read fresh (the region cache may be older than an admin's change), unless the row was just read. */
  async policy(region: { regionId: number; policy?: QuotaPolicy }): Promise<QuotaPolicy> {
    return region.policy ?? this.quota.getPolicy(region);
  }

  async setPolicy(admin: AdminPrincipal, region: RegionContext, args: SetQuotaPolicyArgs): Promise<QuotaPolicy> {
    const before = await this.quota.getPolicy(region);
    const policy = await this.quota.setRegionPolicy(region, { defaultBytes: args.defaultBytes ?? undefined, trustedBytes: args.trustedBytes ?? undefined });
    this.regions.invalidate(region.publicKey);
    await this.audit.record({ actor: admin.actor, action: 'setQuotaPolicy', regionId: region.regionId, region: region.publicKey, before, after: policy });
    return policy;
  }

  async setPersonTier(admin: AdminPrincipal, region: RegionContext, args: SetPersonTierArgs): Promise<Person> {
    const old = await this.quota.personQuota(region, args.publicKey);
    const q = await this.quota.setPersonTier(region, args.publicKey, args.tier, args.overrideBytes ?? null);
    await this.audit.record({
      actor: admin.actor,
      action: 'setPersonTier',
      regionId: region.regionId,
      region: region.publicKey,
      target: args.publicKey,
      before: { tier: old.tier, overrideBytes: old.overrideBytes, limit: old.limit },
      after: { tier: q.tier, overrideBytes: q.overrideBytes, limit: q.limit },
    });
    return { publicKey: q.person, regionId: region.regionId, tier: q.tier as QuotaTier, limit: q.limit, usage: q.usage.bytes, envelopeCount: q.usage.envelopes };
  }

  /** Read fresh, like the tier limits. */
  async senderPolicy(region: { regionId: number }): Promise<SenderPolicySettings> {
    const s = await this.quota.getSenderPolicy(region);
    return { ...s, policy: s.policy as SenderPolicy };
  }

  async setSenderPolicy(admin: AdminPrincipal, region: RegionContext, args: SetSenderPolicyArgs): Promise<SenderPolicySettings> {
    const before = await this.quota.getSenderPolicy(region);
    const s = await this.quota.setSenderPolicy(region, args.policy, args.unprovenPoolBytes ?? undefined, args.maxTotalBytes, {
      maxUnprovenSenders: args.maxUnprovenSenders,
      kikiRoutesRequireToken: args.kikiRoutesRequireToken ?? undefined,
    });
    this.regions.invalidate(region.publicKey);
    await this.audit.record({ actor: admin.actor, action: 'setSenderPolicy', regionId: region.regionId, region: region.publicKey, before, after: s });
    return { ...s, policy: s.policy as SenderPolicy };
  }

  async restoreEnvelopes(admin: AdminPrincipal, region: RegionContext, ids: string[]): Promise<number> {
    const restored = await this.quota.restoreEnvelopes(region, ids);
    await this.audit.record({ actor: admin.actor, action: 'restoreEnvelopes', regionId: region.regionId, region: region.publicKey, target: ids.join(','), after: { restored } });
    return restored;
  }

  async undoErase(admin: AdminPrincipal, region: RegionContext, publicKey: string): Promise<number> {
    const restored = await this.quota.undoErase(region, publicKey);
    await this.audit.record({ actor: admin.actor, action: 'undoErase', regionId: region.regionId, region: region.publicKey, target: publicKey, after: { restored } });
    return restored;
  }

  async reevaluate(admin: AdminPrincipal, region: RegionContext, publicKey: string): Promise<boolean> {
    const queued = await this.quota.evaluate(region, publicKey);
    await this.audit.record({ actor: admin.actor, action: 'reevaluatePerson', regionId: region.regionId, region: region.publicKey, target: publicKey, after: { queued } });
    return queued;
  }

  previewPersonTier(region: RegionContext, args: SetPersonTierArgs): Promise<EvictionPreview> {
    return this.quota.previewPersonTier(region, args.publicKey, args.tier, args.overrideBytes ?? null);
  }

  previewPolicy(region: RegionContext, args: SetQuotaPolicyArgs): Promise<EvictionPreview> {
    return this.quota.previewRegionPolicy(region, { defaultBytes: args.defaultBytes ?? undefined, trustedBytes: args.trustedBytes ?? undefined });
  }

  async evictions(region: RegionContext, args: EvictionsArgs): Promise<EvictionConnection> {
    const page = await this.quota.listEvictions(region, {
      person: args.person ?? null,
      reason: args.reason ?? null,
      since: args.since ?? null,
      until: args.until ?? null,
      before: parseEvictionCursor(args.after) ?? null,
      limit: args.first,
    });
    const edges = page.items.map((e) => ({ cursor: evictionCursor(e.evictionId), node: toEviction(region.regionId, e) }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: { hasNextPage: page.next !== null, hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor: edges[edges.length - 1]?.cursor ?? null },
    };
  }
}
