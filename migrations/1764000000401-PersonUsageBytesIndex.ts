import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People of a region by usage (persons USAGE_DESC, and PRESSURE_DESC, whose people without a
 * policy row share the region's default limit and so sort by bytes) and the count of people
 * near or over their limit (a range scan from the top): served by an index instead of a sort of
 * the whole region. The tie-break on person matches the API's order, so a page is a range scan.
 */
export class PersonUsageBytesIndex1764000000401 implements MigrationInterface {
  name = 'PersonUsageBytesIndex1764000000401';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX person_usage_region_bytes_idx ON person_usage (region_id, bytes DESC, person)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX person_usage_region_bytes_idx`);
  }
}
