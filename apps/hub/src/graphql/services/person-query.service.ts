import { Injectable } from '@nestjs/common';
import { isValidKey } from '@kiki/crypto';
import { ReadRepository } from '@kiki/storage';
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
    if (!isValidKey(publicKey)) throw new HubError('INVALID_KEY', 'publicKey must be a base58 public key of 32 bytes', 'publicKey');
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
    });
    for (const r of rows) loader.primeUsage(region.regionId, r);
    const valueOf = (r: { person: string; bytes: number; envelopes: number }) =>
      args.orderBy === 'usage' ? r.bytes : args.orderBy === 'envelopes' ? r.envelopes : r.person;
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

  /** Tier and limit by the quota module's own rule (quota.policy.ts), batched per request. */
  async quota(person: Person, loader: PersonLoader): Promise<{ tier: QuotaTier; limit: number | null }> {
    if (person.tier !== undefined && person.limit !== undefined) return { tier: person.tier, limit: person.limit };
    const policy = await loader.policy(person.regionId, person.publicKey);
    if (!policy) throw new HubError('UNKNOWN_REGION', 'the region of this person is gone', 'region');
    return { tier: effectiveTier(person.publicKey, policy) as QuotaTier, limit: resolveLimit(person.publicKey, policy) };
  }
}
