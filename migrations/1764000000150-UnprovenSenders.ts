import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A cap on a region's number of unproven senders, and membership tokens on /r/ (docs/quotas.md,
 * "Unproven-sender cap" and "Membership tokens on /r/"):
 * - region.max_unproven_senders (null: no cap) and region.unproven_senders, the counter of
 *   region_sender rows with proven = false (kept under the region row's lock, so never a count(*));
 * - region_sender: the senders a capped region has counted, proven (a v2 signature of theirs
 *   verified) or not;
 * - region.kiki_routes_require_token: /r/<region>/* (but ping) asks for a sync token.
 */
export class UnprovenSenders1764000000150 implements MigrationInterface {
  name = 'UnprovenSenders1764000000150';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE region ADD COLUMN max_unproven_senders integer`);
    await q.query(`ALTER TABLE region ADD CONSTRAINT region_max_unproven_senders_check CHECK (max_unproven_senders >= 0)`);
    await q.query(`ALTER TABLE region ADD COLUMN unproven_senders integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE region ADD COLUMN kiki_routes_require_token boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE region_sender (
        region_id integer NOT NULL REFERENCES region (region_id) ON DELETE CASCADE,
        sender text NOT NULL,
        proven boolean NOT NULL,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (region_id, sender)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE region_sender`);
    await q.query(`ALTER TABLE region DROP COLUMN kiki_routes_require_token`);
    await q.query(`ALTER TABLE region DROP COLUMN unproven_senders`);
    await q.query(`ALTER TABLE region DROP CONSTRAINT region_max_unproven_senders_check`);
    await q.query(`ALTER TABLE region DROP COLUMN max_unproven_senders`);
  }
}
