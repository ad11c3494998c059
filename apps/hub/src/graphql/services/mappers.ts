import { base58Encode } from '@kiki/crypto';
import type { EnvelopeView, PersonUsageRow, RegionEntity } from '@kiki/storage';
import type { RegionContext } from '../../regions/region.service';
import type { Envelope } from '../models/envelope.model';
import type { Person } from '../models/person.model';
import type { Region } from '../models/region.model';
import { envelopeCursor } from './cursors';

/** GraphQL models are built here from storage rows (the two never share a class). */
export function toEnvelope(regionId: number, row: EnvelopeView): Envelope {
  return {
    id: base58Encode(row.id),
    timestamp: row.timestamp,
    sender: { publicKey: row.sender, regionId },
    signature: row.signature,
    signatureV2: row.signatureV2,
    sealedRecipients: row.sealedRecipients,
    sealedLetter: row.sealedLetter,
    size: row.size,
    sequence: row.seq,
    cursor: envelopeCursor(row.seq),
    receivedAt: row.receivedAt,
    purpose: row.purpose,
    firstId: row.firstId,
    replyTo: row.replyTo,
  };
}

export function toPerson(regionId: number, row: PersonUsageRow): Person {
  return { publicKey: row.person, regionId, usage: row.bytes, envelopeCount: row.envelopes };
}

export function toRegion(ctx: RegionContext): Region {
  return {
    regionId: ctx.regionId,
    publicKey: ctx.publicKey,
    name: ctx.name,
    hubPublicKey: ctx.hub.public,
    maxEnvelopeBytes: ctx.limits.maxEnvelopeBytes,
    createdAt: ctx.createdAt,
  };
}

export function regionFromRow(r: RegionEntity): Region {
  return {
    regionId: r.regionId,
    publicKey: r.publicKey,
    name: r.name,
    hubPublicKey: r.hubPublicKey,
    maxEnvelopeBytes: r.maxEnvelopeBytes,
    createdAt: r.createdAt,
    policy: { defaultBytes: Number(r.defaultQuotaBytes), trustedBytes: Number(r.trustedQuotaBytes) },
  };
}

/** A Relay page from `limit + 1` rows: the extra row only says whether more follow. */
export function page<R, N>(rows: R[], limit: number, node: (r: R) => N, cursor: (r: R, n: N) => string) {
  const items = rows.slice(0, limit).map((r) => {
    const n = node(r);
    return { cursor: cursor(r, n), node: n };
  });
  return {
    edges: items,
    nodes: items.map((e) => e.node),
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: false,
      startCursor: items[0]?.cursor ?? null,
      endCursor: items[items.length - 1]?.cursor ?? null,
    },
  };
}
