import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * envelope.region_id loses its foreign key; a trigger on region keeps ON DELETE CASCADE.
 *
 * The key was checked for every inserted envelope (an RI trigger per row, locking the region row
 * FOR KEY SHARE): 1.6 ms of a 13.6 ms batch of 500, and ~10 % of Postgres CPU per envelope,
 * all of it spent while the batch holds its region's counter lock. Ingest cannot write an
 * envelope without its region anyway: insertBatch inserts only rows joined to the region's
 * region_seq row, which has its own foreign key to region, and deleting a region deletes that
 * row first, waiting for (or making empty) any batch holding it. Regions are deleted rarely
 * (by an operator); this trigger deletes their envelopes as the cascade did (their eviction
 * records follow by eviction's own cascade).
 */
export class EnvelopeRegionTrigger1764000000004 implements MigrationInterface {
  name = 'EnvelopeRegionTrigger1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE envelope DROP CONSTRAINT envelope_region_id_fkey`);
    await q.query(`
      CREATE FUNCTION region_delete_envelopes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM envelope WHERE region_id = OLD.region_id;
        RETURN OLD;
      END $$`);
    await q.query(`
      CREATE TRIGGER region_delete_envelopes AFTER DELETE ON region
        FOR EACH ROW EXECUTE FUNCTION region_delete_envelopes()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER region_delete_envelopes ON region`);
    await q.query(`DROP FUNCTION region_delete_envelopes()`);
    await q.query(`
      ALTER TABLE envelope ADD CONSTRAINT envelope_region_id_fkey
        FOREIGN KEY (region_id) REFERENCES region (region_id) ON DELETE CASCADE`);
  }
}
