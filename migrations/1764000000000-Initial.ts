import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The envelope store. Every table leads its primary key and indexes with region_id, so the
 * schema can be distributed by region (Citus: distribution column region_id) unchanged.
 */
export class Initial1764000000000 implements MigrationInterface {
  name = 'Initial1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE region (
        region_id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        public_key           text NOT NULL,
        name                 text NOT NULL,
        -- secretbox(nonce || box) under the operator's HUB_MASTER_KEY; never stored in clear
        private_key_enc      bytea NOT NULL,
        -- the hub's own person identity in this region (answers /list like an original instance)
        hub_public_key       text NOT NULL,
        hub_private_key_enc  bytea NOT NULL,
        max_envelope_bytes   integer NOT NULL DEFAULT 655360 CHECK (max_envelope_bytes > 0),
        default_quota_bytes  bigint NOT NULL DEFAULT 5000000 CHECK (default_quota_bytes >= 0),
        trusted_quota_bytes  bigint NOT NULL DEFAULT 50000000 CHECK (trusted_quota_bytes >= 0),
        created_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT region_public_key_uq UNIQUE (public_key)
      )`);

    // Per-region commit-ordered counter. Ingest locks this row for the length of its
    // transaction, so sequence numbers become visible in order and a cursor never skips one.
    await q.query(`
      CREATE TABLE region_seq (
        region_id  integer PRIMARY KEY REFERENCES region (region_id) ON DELETE CASCADE,
        last_seq   bigint NOT NULL DEFAULT 0
      )`);

    // One row per envelope ever accepted. A removed envelope keeps its row as the tombstone
    // (sealed fields set to NULL): the reconciled set only grows, and re-pushes are refused.
    await q.query(`
      CREATE TABLE envelope (
        region_id          integer NOT NULL REFERENCES region (region_id) ON DELETE CASCADE,
        id                 bytea NOT NULL CHECK (octet_length(id) = 32),
        seq                bigint NOT NULL,
        ts_ms              bigint NOT NULL,
        "timestamp"        text NOT NULL,
        sender             text NOT NULL,
        signature          text NOT NULL,
        sealed_recipients  text[],
        sealed_letter      bytea,
        size               integer NOT NULL,
        received_at        timestamptz NOT NULL DEFAULT now(),
        -- known only for public letters, which the hub opens with the region key
        purpose            text,
        first_id           text,
        reply_to           text,
        public_content     text,
        removed_at         timestamptz,
        removed_reason     text CHECK (removed_reason IN ('quota', 'erase', 'admin')),
        CONSTRAINT envelope_pk PRIMARY KEY (region_id, id),
        CONSTRAINT envelope_removed_ck CHECK ((removed_at IS NULL) = (sealed_letter IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX envelope_region_seq_uq ON envelope (region_id, seq)`);
    await q.query(`CREATE INDEX envelope_region_ts_idx ON envelope (region_id, ts_ms, id)`);
    // Quota evaluation and per-sender queries look only at live envelopes.
    await q.query(`CREATE INDEX envelope_region_sender_idx ON envelope (region_id, sender, ts_ms) WHERE removed_at IS NULL`);

    // Per-person usage, maintained in the ingest transaction. bytes counts toward the quota
    // (actions are exempt); envelopes counts every live envelope.
    await q.query(`
      CREATE TABLE person_usage (
        region_id  integer NOT NULL REFERENCES region (region_id) ON DELETE CASCADE,
        person     text NOT NULL,
        bytes      bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
        envelopes  integer NOT NULL DEFAULT 0 CHECK (envelopes >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT person_usage_pk PRIMARY KEY (region_id, person)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE person_usage`);
    await q.query(`DROP TABLE envelope`);
    await q.query(`DROP TABLE region_seq`);
    await q.query(`DROP TABLE region`);
  }
}
