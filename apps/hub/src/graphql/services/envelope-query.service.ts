import { Injectable } from '@nestjs/common';
import { ReadRepository } from '@kiki/storage';
import { HubError } from '../../common/errors';
import { requireKey32 } from '../../common/keys';
import { IngestService } from '../../ingest/ingest.service';
import type { RegionContext } from '../../regions/region.service';
import type { EnvelopesArgs } from '../dto/envelopes.args';
import type { EnvelopeInput } from '../dto/submit.input';
import type { EnvelopeConnection } from '../models/envelope-connection.model';
import type { Envelope } from '../models/envelope.model';
import { type SubmitEnvelopesPayload, SubmitStatus } from '../models/submit-result.model';
import { parseEnvelopeCursor } from './cursors';
import { page, toEnvelope } from './mappers';

// wire field → GraphQL input field, so a rejection names what the client actually sent
const INPUT_FIELD: Record<string, string> = { sealed_letter: 'sealedLetter', sealed_recipients: 'sealedRecipients', 'sender.public': 'sender', sender: 'sender' };

function inputField(index: number, field: string | undefined): string | undefined {
  if (!field) return undefined;
  const m = /^([a-z_.]+)(.*)$/.exec(field);
  const name = m ? (INPUT_FIELD[m[1]] ?? m[1]) + m[2] : field;
  return `envelopes[${index}].${name}`;
}

@Injectable()
export class EnvelopeQueryService {
  constructor(
    private readonly reads: ReadRepository,
    private readonly ingest: IngestService,
  ) {}

  async envelopes(region: RegionContext, args: EnvelopesArgs): Promise<EnvelopeConnection> {
    const rows = await this.reads.envelopePage(region.regionId, {
      afterSeq: parseEnvelopeCursor(args.after),
      limit: args.first + 1,
      sender: args.sender,
      sinceMs: args.since?.getTime(),
    });
    return page(rows, args.first, (r) => toEnvelope(region.regionId, r), (_, n) => n.cursor);
  }

  async envelope(region: RegionContext, id: string): Promise<Envelope> {
    const row = await this.reads.envelope(region.regionId, requireKey32(id, 'id', 'id'));
    if (!row) throw new HubError('NOT_FOUND', `region ${region.publicKey} holds no envelope ${id}`, 'id');
    if (row.removedReason) {
      throw new HubError('NOT_FOUND', `envelope ${id} was removed (${row.removedReason}); only its tombstone is kept, so it cannot be sent again`, 'id');
    }
    return toEnvelope(region.regionId, row);
  }

  /** The same ingest path as /sync and the original routes, item by item. */
  async submit(region: RegionContext, input: EnvelopeInput[]): Promise<SubmitEnvelopesPayload> {
    const wire = input.map((e) => ({
      id: e.id,
      timestamp: e.timestamp,
      sender: { public: e.sender },
      signature: e.signature,
      sealed_recipients: e.sealedRecipients,
      sealed_letter: e.sealedLetter,
      ...(e.signatureV2 != null ? { signature_v2: e.signatureV2 } : {}),
    }));
    const results = (await this.ingest.ingest(region, wire, 'graphql')).map((r) => ({
      index: r.index,
      id: r.id,
      status: r.status as SubmitStatus,
      code: r.code,
      reason: r.reason,
      field: inputField(r.index, r.field),
    }));
    const count = (s: SubmitStatus) => results.filter((r) => r.status === s).length;
    return { results, stored: count(SubmitStatus.STORED), duplicate: count(SubmitStatus.DUPLICATE), rejected: count(SubmitStatus.REJECTED) };
  }
}
