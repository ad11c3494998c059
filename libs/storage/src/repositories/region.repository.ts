import type { DataSource, EntityManager } from 'typeorm';
import { RegionEntity, type SenderPolicy } from '../entities';
import { inTransaction } from '../transaction';

export interface NewRegion {
  publicKey: string;
  name: string;
  privateKeyEnc: Buffer;
  hubPublicKey: string;
  hubPrivateKeyEnc: Buffer;
}

export interface RegionPolicyPatch {
  maxEnvelopeBytes?: number;
  defaultQuotaBytes?: number;
  trustedQuotaBytes?: number;
  senderPolicy?: SenderPolicy;
  unprovenPoolBytes?: number;
  /** null removes the cap */
  maxTotalBytes?: number | null;
  /** null removes the cap; a number recounts the region's senders from its live envelopes */
  maxUnprovenSenders?: number | null;
  kikiRoutesRequireToken?: boolean;
}

/** What admitSenders decided for one sender of a batch. */
export interface SenderAdmission {
  /** a v2 signature of theirs verified in this region (now or before) */
  proven: boolean;
  /** false: an unproven newcomer past the region's max_unproven_senders */
  admitted: boolean;
}

export class RegionRepository {
  constructor(private readonly ds: DataSource) {}

  /** Creates the region and its sequence counter together. */
  async create(region: NewRegion): Promise<RegionEntity> {
    return inTransaction(this.ds, async (m) => {
      const saved = await m.getRepository(RegionEntity).save(m.getRepository(RegionEntity).create(region));
      await m.query('INSERT INTO region_seq (region_id, last_seq) VALUES ($1, 0)', [saved.regionId]);
      return saved;
    });
  }

  findByPublicKey(publicKey: string): Promise<RegionEntity | null> {
    return this.ds.getRepository(RegionEntity).findOne({ where: { publicKey } });
  }

  findById(regionId: number): Promise<RegionEntity | null> {
    return this.ds.getRepository(RegionEntity).findOne({ where: { regionId } });
  }

  list(): Promise<RegionEntity[]> {
    return this.ds.getRepository(RegionEntity).find({ order: { regionId: 'ASC' } });
  }

  async updatePolicy(regionId: number, patch: RegionPolicyPatch): Promise<void> {
    const set: Partial<RegionEntity> = {};
    if (patch.maxEnvelopeBytes !== undefined) set.maxEnvelopeBytes = patch.maxEnvelopeBytes;
    if (patch.defaultQuotaBytes !== undefined) set.defaultQuotaBytes = String(patch.defaultQuotaBytes);
    if (patch.trustedQuotaBytes !== undefined) set.trustedQuotaBytes = String(patch.trustedQuotaBytes);
    if (patch.senderPolicy !== undefined) set.senderPolicy = patch.senderPolicy;
    if (patch.unprovenPoolBytes !== undefined) set.unprovenPoolBytes = String(patch.unprovenPoolBytes);
    if (patch.maxTotalBytes !== undefined) set.maxTotalBytes = patch.maxTotalBytes === null ? null : String(patch.maxTotalBytes);
    if (patch.kikiRoutesRequireToken !== undefined) set.kikiRoutesRequireToken = patch.kikiRoutesRequireToken;
    if (patch.maxUnprovenSenders !== undefined) set.maxUnprovenSenders = patch.maxUnprovenSenders;
    await inTransaction(this.ds, async (m) => {
      if (Object.keys(set).length) await m.getRepository(RegionEntity).update({ regionId }, set);
      if (patch.maxUnprovenSenders !== undefined && patch.maxUnprovenSenders !== null) await recountSenders(m, regionId);
    });
  }

  /**
   * Counts a batch's senders against the region's max_unproven_senders. A sender is known once it
   * has a region_sender row; a proven one is recorded (or promoted, giving its unproven slot back),
   * an unproven newcomer takes a slot while region.unproven_senders < max_unproven_senders, and is
   * refused (admitted: false) once the cap is reached. The region row is locked FOR NO KEY UPDATE
   * (it does not block envelope inserts) so that concurrent batches count one after another; no
   * count(*) is ever taken: the counter lives on the region row.
   */
  async admitSenders(regionId: number, senders: Map<string, boolean>): Promise<Map<string, SenderAdmission>> {
    const out = new Map<string, SenderAdmission>();
    if (senders.size === 0) return out;
    return inTransaction(this.ds, async (m) => {
      const [region] = await m.query('SELECT max_unproven_senders, unproven_senders FROM region WHERE region_id = $1 FOR NO KEY UPDATE', [regionId]);
      if (!region) return out;
      const cap: number | null = region.max_unproven_senders;
      let count = Number(region.unproven_senders);
      const names = [...senders.keys()];
      const known = new Map<string, boolean>(
        (await m.query('SELECT sender, proven FROM region_sender WHERE region_id = $1 AND sender = ANY($2)', [regionId, names])).map(
          (r: { sender: string; proven: boolean }) => [r.sender, r.proven],
        ),
      );
      const insertProven: string[] = [];
      const insertUnproven: string[] = [];
      const promote: string[] = [];
      for (const [sender, proven] of senders) {
        const was = known.get(sender);
        if (was === true) out.set(sender, { proven: true, admitted: true });
        else if (was === false) {
          if (proven) {
            promote.push(sender);
            count--;
          }
          out.set(sender, { proven, admitted: true });
        } else if (proven) {
          insertProven.push(sender);
          out.set(sender, { proven: true, admitted: true });
        } else if (cap === null || count < cap) {
          insertUnproven.push(sender);
          count++;
          out.set(sender, { proven: false, admitted: true });
        } else out.set(sender, { proven: false, admitted: false });
      }
      if (insertProven.length || insertUnproven.length) {
        await m.query(
          `INSERT INTO region_sender (region_id, sender, proven)
           SELECT $1, s, p FROM unnest($2::text[], $3::boolean[]) AS t(s, p) ON CONFLICT DO NOTHING`,
          [regionId, [...insertProven, ...insertUnproven], [...insertProven.map(() => true), ...insertUnproven.map(() => false)]],
        );
      }
      if (promote.length) await m.query('UPDATE region_sender SET proven = true WHERE region_id = $1 AND sender = ANY($2)', [regionId, promote]);
      if (count !== Number(region.unproven_senders)) await m.query('UPDATE region SET unproven_senders = $2 WHERE region_id = $1', [regionId, count]);
      return out;
    });
  }

  /** The region's counted bytes: every usage account's, the unproven pool included (what max_total_bytes caps). */
  async countedBytes(regionId: number): Promise<number> {
    const [row] = await this.ds.query('SELECT coalesce(sum(bytes), 0)::bigint AS bytes FROM person_usage WHERE region_id = $1', [regionId]);
    return Number(row.bytes);
  }

  /** Envelope and sender counts per region, for listings. */
  async stats(regionId: number): Promise<{ envelopes: number; proven: number; removed: number; bytes: number; people: number; lastSeq: number }> {
    const [row] = await this.ds.query(
      `SELECT
         (SELECT count(*) FROM envelope WHERE region_id = $1 AND removed_at IS NULL)::bigint AS envelopes,
         (SELECT count(*) FROM envelope WHERE region_id = $1 AND removed_at IS NULL AND signature_v2 IS NOT NULL)::bigint AS proven,
         (SELECT count(*) FROM envelope WHERE region_id = $1 AND removed_at IS NOT NULL)::bigint AS removed,
         (SELECT coalesce(sum(size), 0) FROM envelope WHERE region_id = $1 AND removed_at IS NULL)::bigint AS bytes,
         (SELECT count(*) FROM person_usage WHERE region_id = $1 AND envelopes > 0)::bigint AS people,
         (SELECT last_seq FROM region_seq WHERE region_id = $1) AS last_seq`,
      [regionId],
    );
    return {
      envelopes: Number(row.envelopes),
      proven: Number(row.proven),
      removed: Number(row.removed),
      bytes: Number(row.bytes),
      people: Number(row.people),
      lastSeq: Number(row.last_seq ?? 0),
    };
  }
}

/**
 * Rebuilds a region's region_sender rows from its live envelopes (one scan, run when an admin sets
 * max_unproven_senders), so that turning the cap on counts those already holding data rather than
 * refusing them as newcomers; senders whose envelopes are all gone lose their slot.
 */
async function recountSenders(m: EntityManager, regionId: number): Promise<void> {
  await m.query('SELECT 1 FROM region WHERE region_id = $1 FOR NO KEY UPDATE', [regionId]);
  await m.query('DELETE FROM region_sender WHERE region_id = $1', [regionId]);
  await m.query(
    `INSERT INTO region_sender (region_id, sender, proven)
     SELECT $1, sender, bool_or(signature_v2 IS NOT NULL) FROM envelope
     WHERE region_id = $1 AND removed_at IS NULL GROUP BY sender`,
    [regionId],
  );
  await m.query(
    'UPDATE region SET unproven_senders = (SELECT count(*) FROM region_sender WHERE region_id = $1 AND NOT proven) WHERE region_id = $1',
    [regionId],
  );
}
