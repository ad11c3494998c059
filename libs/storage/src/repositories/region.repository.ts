import type { DataSource, EntityManager } from 'typeorm';
import { RegionEntity, type SenderPolicy } from '../entities';

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
}

export class RegionRepository {
  constructor(private readonly ds: DataSource) {}

  /** Creates the region and its sequence counter together. */
  async create(region: NewRegion): Promise<RegionEntity> {
    return this.ds.transaction(async (m: EntityManager) => {
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
    if (Object.keys(set).length) await this.ds.getRepository(RegionEntity).update({ regionId }, set);
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
