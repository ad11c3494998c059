import { Injectable } from '@nestjs/common';
import { type PersonUsageRow, ReadRepository, usagePressure } from '@kiki/storage';
import { HubError } from '../../common/errors';
import type { RegionContext } from '../../regions/region.service';
import type { PersonsArgs } from '../dto/persons.args';
import type { PersonLoader } from '../loaders/person.loader';
import type { PersonConnection } from '../models/person-connection.model';
import type { Person } from '../models/person.model';
import type { QuotaTier } from '../models/quota-enums';
import { effectiveTier, resolveLimit } from '../../quota/quota.policy';
import { parsePersonCursor, personCursor } from './cursors';
import { page, toPerson } from './mappers';

@Injectable()
export class PersonQueryService {
  constructor(private readonly reads: ReadRepository) {}

  async person(region: RegionContext, publicKey: string, loader: PersonLoader): Promise<Person> {
    const usage = await loader.usage(region.regionId, publicKey);
    if (!usage) throw new HubError('NOT_FOUND', `no envelope from ${publicKey} was ever stored in region ${region.publicKey}`, 'publicKey');
    return toPerson(region.regionId, usage);
  }

  async persons(region: RegionContext, args: PersonsArgs, loader: PersonLoader): Promise<PersonConnection> {
    const after = parsePersonCursor(args.after, args.orderBy);
    const rows = await this.reads.personPage(region.regionId, {
      orderBy: args.orderBy,
      after: after && { value: after.value, person: after.person },
      limit: args.first + 1,
      search: args.search,
    });
    for (const r of rows) loader.primeUsage(region.regionId, r);
    const valueOf = (r: PersonUsageRow) =>
      args.orderBy === 'usage' ? r.bytes : args.orderBy === 'envelopes' ? r.envelopes : args.orderBy === 'pressure' ? (r.pressure ?? null) : r.person;
    return page(rows, args.first, (r) => toPerson(region.regionId, r), (r) => personCursor({ order: args.orderBy, value: valueOf(r), person: r.person }));
  }

  async name(person: Person, loader: PersonLoader): Promise<string | null> {
    return loader.name(person.regionId, person.publicKey);
  }

  async usage(person: Person, loader: PersonLoader): Promise<{ bytes: number; envelopes: number }> {
    if (person.usage !== undefined && person.envelopeCount !== undefined) return { bytes: person.usage, envelopes: person.envelopeCount };
    const row = await loader.usage(person.regionId, person.publicKey);
    return { bytes: row?.bytes ?? 0, envelopes: row?.envelopes ?? 0 };
  }

  /** usage ÷ limit (a limit of 0 counts as 1 byte); null without a limit. */
  async pressure(person: Person, loader: PersonLoader): Promise<number | null> {
    const [{ bytes }, { limit }] = await Promise.all([this.usage(person, loader), this.quota(person, loader)]);
    return usagePressure(bytes, limit);
  }

  /** The person's own limit (replacing their tier's), if an admin set one. */
  async override(person: Person, loader: PersonLoader): Promise<number | null> {
    const policy = await loader.policy(person.regionId, person.publicKey);
    return policy?.overrideBytes ?? null;
  }

  ingestBytesLastHour(person: Person, loader: PersonLoader): Promise<number> {
    return loader.ingestLastHour(person.regionId, person.publicKey);
  }

  /**
   * When the person reaches their limit at the pace of their last hour; now when already at or
   * over it; null when unlimited or nothing counted arrived in the last hour.
   */
  async projectedFullAt(person: Person, loader: PersonLoader): Promise<Date | null> {
    const [{ bytes }, { limit }, perHour] = await Promise.all([this.usage(person, loader), this.quota(person, loader), this.ingestBytesLastHour(person, loader)]);
    if (limit === null) return null;
    if (bytes >= limit) return new Date();
    if (perHour <= 0) return null;
    return new Date(Date.now() + ((limit - bytes) / perHour) * 3600_000);
  }

  /** Tier and limit by the quota module's own rule (quota.policy.ts), batched per request. */
  async quota(person: Person, loader: PersonLoader): Promise<{ tier: QuotaTier; limit: number | null }> {
    if (person.tier !== undefined && person.limit !== undefined) return { tier: person.tier, limit: person.limit };
    const policy = await loader.policy(person.regionId, person.publicKey);
    if (!policy) throw new HubError('UNKNOWN_REGION', 'the region of this person is gone', 'region');
    return { tier: effectiveTier(person.publicKey, policy) as QuotaTier, limit: resolveLimit(person.publicKey, policy) };
  }
}
