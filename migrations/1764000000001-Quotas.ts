import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-person storage quotas (docs/quotas.md): per-person tiers and overrides, the record of
 * every eviction, and each person's latest erase. region_id leads every key and index.
 */
export class Quotas1764000000001 implements MigrationInterface {
  name = 'Quotas1764000000001';

  async up(q: QueryRunner): Promise<void> {
    // Only people whose limit differs from the region default have a row.
    await q.query(`
      CREATE TABLE person_policy (
        region_id       integer NOT NULL,
        person          text NOT NULL,
        tier            text NOT NULL DEFAULT 'default',
        -- replaces the tier's limit for this person; meaningless (and refused) for 'unlimited'
        override_bytes  bigint,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT person_policy_pk PRIMARY KEY (region_id, person),
        CONSTRAINT person_policy_region_id_fkey FOREIGN KEY (region_id) REFERENCES region (region_id) ON DELETE CASCADE,
        CONSTRAINT person_policy_tier_check CHECK (tier IN ('default', 'trusted', 'unlimited')),
        CONSTRAINT person_policy_override_bytes_check CHECK (override_bytes >= 0),
        CONSTRAINT person_policy_unlimited_check CHECK (tier <> 'unlimited' OR override_bytes IS NULL)
      )`);

    // One row per envelope the quota worker removed (quota or erase): who, what, why, when.
    await q.query(`
      CREATE TABLE eviction (
        region_id    integer NOT NULL,
        eviction_id  bigint GENERATED ALWAYS AS IDENTITY,
        envelope_id  bytea NOT NULL,
        person       text NOT NULL,
        reason       text NOT NULL,
        size         integer NOT NULL,
        purpose      text,
        -- the person's limit when evicted (NULL for erase, which ignores limits)
        limit_bytes  bigint,
        evicted_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT eviction_pk PRIMARY KEY (region_id, eviction_id),
        CONSTRAINT eviction_envelope_uq UNIQUE (region_id, envelope_id),
        CONSTRAINT eviction_envelope_fkey FOREIGN KEY (region_id, envelope_id) REFERENCES envelope (region_id, id) ON DELETE CASCADE,
        CONSTRAINT eviction_reason_check CHECK (reason IN ('superseded-image', 'superseded-edit', 'large', 'oldest', 'erase'))
      )`);
    // Admins page through one person's evictions, newest first.
    await q.query(`CREATE INDEX eviction_region_person_idx ON eviction (region_id, person, eviction_id)`);

    // A person's newest action-erase: everything of theirs dated at or before it is removed,
    // including letters that arrive later. Read on every evaluation, so kept apart and tiny.
    await q.query(`
      CREATE TABLE person_erase (
        region_id    integer NOT NULL,
        person       text NOT NULL,
        erase_id     bytea NOT NULL,
        erase_ts_ms  bigint NOT NULL,
        erased_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT person_erase_pk PRIMARY KEY (region_id, person),
        CONSTRAINT person_erase_region_id_fkey FOREIGN KEY (region_id) REFERENCES region (region_id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE person_erase`);
    await q.query(`DROP TABLE eviction`);
    await q.query(`DROP TABLE person_policy`);
  }
}
