import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-region usage over time (usageSeries, the dashboard's storage chart): one row per region
 * each USAGE_SAMPLE_EVERY_SECONDS, written by a repeatable quota-queue job, deleted after
 * USAGE_SAMPLE_RETENTION_DAYS.
 */
export class UsageSample1764000000402 implements MigrationInterface {
  name = 'UsageSample1764000000402';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE usage_sample (
        region_id  integer NOT NULL,
        at         timestamptz NOT NULL,
        bytes      bigint NOT NULL,
        envelopes  bigint NOT NULL,
        people     integer NOT NULL,
        CONSTRAINT usage_sample_pk PRIMARY KEY (region_id, at),
        CONSTRAINT usage_sample_region_id_fkey FOREIGN KEY (region_id) REFERENCES region (region_id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE usage_sample`);
  }
}
