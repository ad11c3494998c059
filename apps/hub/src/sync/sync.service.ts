import { Inject, Injectable } from '@nestjs/common';
import { base58Encode } from '@kiki/crypto';
import { EnvelopeRepository, type StoredEnvelope } from '@kiki/storage';
import { HubConfig } from '../config/hub-config';
import { HubError } from '../common/errors';
import { requireKey32 } from '../common/keys';
import { IngestService } from '../ingest/ingest.service';
import type { RegionContext } from '../regions/region.service';
import { toWire } from '../common/envelope-wire';
import type { FetchResponseDto, PullResponseDto, PushResponseDto } from './sync.dto';

// A pull answer stops growing past this many bytes of sealed letters (one envelope always fits).
const PULL_BYTE_BUDGET = 8 * 1024 * 1024;

@Injectable()
export class SyncService {
  constructor(
    private readonly ingest: IngestService,
    private readonly envelopes: EnvelopeRepository,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  async push(region: RegionContext, envelopes: unknown[]): Promise<PushResponseDto> {
    if (envelopes.length === 0) throw new HubError('BAD_REQUEST', 'envelopes is empty: send 1 or more', 'envelopes');
    if (envelopes.length > this.config.MAX_BATCH_ENVELOPES) {
      throw new HubError('TOO_LARGE', `send at most ${this.config.MAX_BATCH_ENVELOPES} envelopes per push (got ${envelopes.length})`, 'envelopes');
    }
    const results = await this.ingest.ingest(region, envelopes, 'sync');
    const count = (s: string) => results.filter((r) => r.status === s).length;
    return { results, stored: count('stored'), duplicate: count('duplicate'), rejected: count('rejected') };
  }

  async pull(region: RegionContext, after: number, limit: number): Promise<PullResponseDto> {
    const head = await this.envelopes.lastSeq(region.regionId);
    const { rows } = await this.envelopes.pullAfter(region.regionId, after, limit);
    const out: PullResponseDto = { envelopes: [], removed: [], cursor: String(after), more: false, head: String(head) };
    let bytes = 0;
    for (const row of rows) {
      if (row.sealedLetter && bytes > 0 && bytes + row.sealedLetter.length > PULL_BYTE_BUDGET) {
        out.more = true;
        break;
      }
      if (row.removedReason) out.removed.push(removedOf(row));
      else {
        out.envelopes.push(toWire(row));
        bytes += row.sealedLetter?.length ?? 0;
      }
      out.cursor = String(row.seq);
    }
    // head was read first: rows committed since may lie beyond it, and `more` still sees them
    if (!out.more && rows.length === limit) out.more = (await this.envelopes.lastSeq(region.regionId)) > Number(out.cursor);
    return out;
  }

  async fetch(region: RegionContext, ids: string[]): Promise<FetchResponseDto> {
    // FetchDto's @IsBase58Key checked them already; this decodes
    const wanted = ids.map((id, i) => requireKey32(id, `ids[${i}]`, 'id'));
    const rows = await this.envelopes.findByIds(region.regionId, wanted);
    const found = new Set(rows.map((r) => r.id.toString('hex')));
    return {
      envelopes: rows.filter((r) => !r.removedReason).map(toWire),
      removed: rows.filter((r) => r.removedReason).map(removedOf),
      missing: ids.filter((_, i) => !found.has(wanted[i].toString('hex'))),
    };
  }
}

function removedOf(row: StoredEnvelope): { id: string; timestamp: string; reason: string } {
  return { id: base58Encode(row.id), timestamp: row.timestamp, reason: row.removedReason! };
}
