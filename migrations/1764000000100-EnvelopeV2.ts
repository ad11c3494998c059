import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trust (issue 10): envelope v2 (docs/envelope-v2.md), per-region sender policy and reversible
 * removals (docs/quotas.md).
 * - envelope.signature_v2: the sender's XEdDSA signature, stored only once verified; a row with
 *   one is *proven* (its sender made it).
 * - region.sender_policy: what an unproven envelope may do in the region; region.unproven_pool_bytes:
 *   under 'v2-for-quota', the bytes all unproven envelopes of the region share.
 * - eviction reason 'unproven': an unproven envelope removed newest-received first, so that
 *   unproven arrivals never push out what the hub already held.
 * - removed_envelope: the sealed fields of a tombstone, kept for the retention period so that an
 *   admin can undo an erase or an eviction; purged by the sweep afterwards.
 */
export class EnvelopeV21764000000100 implements MigrationInterface {
  name = 'EnvelopeV21764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE envelope ADD COLUMN signature_v2 text`);
    await q.query(`ALTER TABLE region ADD COLUMN sender_policy text NOT NULL DEFAULT 'v1'`);
    await q.query(`ALTER TABLE region ADD CONSTRAINT region_sender_policy_check CHECK (sender_policy IN ('v1', 'v2-for-quota', 'v2-required'))`);
    await q.query(`ALTER TABLE region ADD COLUMN unproven_pool_bytes bigint NOT NULL DEFAULT 50000000`);
    await q.query(`ALTER TABLE region ADD CONSTRAINT region_unproven_pool_bytes_check CHECK (unproven_pool_bytes >= 0)`);
    await q.query(`ALTER TABLE eviction DROP CONSTRAINT eviction_reason_check`);
    await q.query(
      `ALTER TABLE eviction ADD CONSTRAINT eviction_reason_check CHECK (reason IN ('unproven', 'superseded-image', 'superseded-edit', 'large', 'oldest', 'erase'))`,
    );
    await q.query(`
      CREATE TABLE removed_envelope (
        region_id          integer NOT NULL,
        id                 bytea NOT NULL,
        sealed_recipients  text[] NOT NULL,
        sealed_letter      bytea NOT NULL,
        public_content     text,
        removed_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT removed_envelope_pk PRIMARY KEY (region_id, id),
        CONSTRAINT removed_envelope_envelope_fkey FOREIGN KEY (region_id, id) REFERENCES envelope (region_id, id) ON DELETE CASCADE
      )`);
    // the sweep purges by age
    await q.query(`CREATE INDEX removed_envelope_region_removed_idx ON removed_envelope (region_id, removed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE removed_envelope`);
    await q.query(`DELETE FROM eviction WHERE reason = 'unproven'`);
    await q.query(`ALTER TABLE eviction DROP CONSTRAINT eviction_reason_check`);
    await q.query(`ALTER TABLE eviction ADD CONSTRAINT eviction_reason_check CHECK (reason IN ('superseded-image', 'superseded-edit', 'large', 'oldest', 'erase'))`);
    await q.query(`ALTER TABLE region DROP CONSTRAINT region_unproven_pool_bytes_check`);
    await q.query(`ALTER TABLE region DROP COLUMN unproven_pool_bytes`);
    await q.query(`ALTER TABLE region DROP CONSTRAINT region_sender_policy_check`);
    await q.query(`ALTER TABLE region DROP COLUMN sender_policy`);
    await q.query(`ALTER TABLE envelope DROP COLUMN signature_v2`);
  }
}
