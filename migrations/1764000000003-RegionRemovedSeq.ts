import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * region_seq.removed_seq: the seq of the region's latest tombstone (0: none yet). With last_seq it
 * is the region's read version: appends move only last_seq, removals move both. A page of
 * envelopes that was full when read stays exact until removed_seq moves (GraphQL page cache).
 */
export class RegionRemovedSeq1764000000003 implements MigrationInterface {
  name = 'RegionRemovedSeq1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE region_seq ADD COLUMN removed_seq bigint NOT NULL DEFAULT 0`);
    // regions that already hold tombstones start from their latest one
    await q.query(`
      UPDATE region_seq s SET removed_seq = t.seq
        FROM (SELECT region_id, max(seq) AS seq FROM envelope WHERE removed_at IS NOT NULL GROUP BY region_id) t
       WHERE s.region_id = t.region_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE region_seq DROP COLUMN removed_seq`);
  }
}
