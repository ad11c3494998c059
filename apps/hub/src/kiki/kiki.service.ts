import { Injectable } from '@nestjs/common';
import { EnvelopeRepository } from '@kiki/storage';
import { HubError } from '../common/errors';
import { requireKey32 } from '../common/keys';
import { IngestService } from '../ingest/ingest.service';
import { RegionService } from '../regions/region.service';
import { toKikiWire } from '../common/envelope-wire';
import { ListCache } from './list-cache';

/** The four routes of an original kiki instance's public port, per region (PROTOCOL.md part 1). */
@Injectable()
export class KikiService {
  constructor(
    private readonly regions: RegionService,
    private readonly envelopes: EnvelopeRepository,
    private readonly ingest: IngestService,
    private readonly lists: ListCache,
  ) {}

  async ping(regionKey: string) {
    await this.regions.get(regionKey);
    return { status: 'ok' };
  }

  async list(regionKey: string, userPub: unknown, signature: unknown) {
    const region = await this.regions.get(regionKey);
    if (typeof userPub !== 'string' || typeof signature !== 'string' || !userPub || !signature) {
      throw new HubError('UNAUTHENTICATED', 'list needs user_pub and signature (your region signature) as query parameters');
    }
    if (!region.validator.validateSignature(userPub, signature)) {
      throw new HubError('FORBIDDEN', `signature is not a valid signature of user_pub for region ${region.publicKey}`, 'signature');
    }
    // the ids as JSON text, cached per region version and streamed by the controller
    const ids = await this.lists.ids(region);
    return {
      status: 'ok',
      ids,
      personal_key: region.hub.public,
      // Never a valid signature of the hub's identity: anyone could copy it onto envelopes "from
      // the hub" (issue 10, attack 3). The original's sync reads only `ids`; the field stays, empty.
      personal_signature: '',
    };
  }

  async download(regionKey: string, id: string) {
    const region = await this.regions.get(regionKey);
    const row = await this.envelopes.findOne(region.regionId, requireKey32(id, 'id', 'id'));
    if (!row) throw new HubError('NOT_FOUND', `no envelope ${id} in this region`, 'id');
    if (row.removedReason) throw new HubError('TOMBSTONED', `envelope ${id} was removed (${row.removedReason})`, 'id');
    return { status: 'ok', envelope: toKikiWire(row) };
  }

  async upload(regionKey: string, body: unknown) {
    const region = await this.regions.get(regionKey);
    const [result] = await this.ingest.ingest(region, [body], 'kiki');
    if (result.status === 'stored') return { status: 'ok' };
    // The original aborts its whole sync on an error, and answers a duplicate with ok.
    if (result.status === 'duplicate') return { status: 'ok', message: 'already held; not stored again' };
    // Removed on purpose, or refused by the region's policy rather than invalid: not an error to them.
    if (result.code === 'TOMBSTONED' || result.code === 'V2_REQUIRED' || result.code === 'REGION_FULL' || result.code === 'UNPROVEN_SENDERS_FULL') return { status: 'ok', message: `not stored: ${result.reason}` };
    throw new HubError(result.code ?? 'INVALID_ENVELOPE', result.reason ?? 'invalid envelope', result.field);
  }
}
