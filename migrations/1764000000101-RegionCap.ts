import type { MigrationInterface, QueryRunner } from 'typeorm';

/** region.max_total_bytes: an optional cap on the region's counted bytes; ingest refuses what would go past it (docs/quotas.md). */
export class RegionCap1764000000101 implements MigrationInterface {
  name = 'RegionCap1764000000101';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE region ADD COLUMN max_total_bytes bigint`);
    await q.query(`ALTER TABLE region ADD CONSTRAINT region_max_total_bytes_check CHECK (max_total_bytes >= 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE region DROP CONSTRAINT region_max_total_bytes_check`);
    await q.query(`ALTER TABLE region DROP COLUMN max_total_bytes`);
  }
}
