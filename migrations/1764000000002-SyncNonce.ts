import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sync-token replay cache's fallback: Redis remembers used nonces; while Redis is
 * unreachable the hub records them here instead, so native sync keeps working (and refusing
 * replays) through a Redis outage.
 */
export class SyncNonce1764000000002 implements MigrationInterface {
  name = 'SyncNonce1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sync_nonce (
        region_id   integer NOT NULL,
        nonce       bytea NOT NULL,
        expires_at  timestamptz NOT NULL,
        CONSTRAINT sync_nonce_pk PRIMARY KEY (region_id, nonce),
        CONSTRAINT sync_nonce_region_id_fkey FOREIGN KEY (region_id) REFERENCES region (region_id) ON DELETE CASCADE
      )`);
    // expired rows are deleted per region
    await q.query(`CREATE INDEX sync_nonce_region_expires_idx ON sync_nonce (region_id, expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sync_nonce`);
  }
}
