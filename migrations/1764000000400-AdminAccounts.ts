import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admin accounts of the dashboard and the GraphQL admin API (docs/graphql.md#admin): accounts
 * with scrypt hashes, the regions a region admin may see, session tokens (stored hashed),
 * login throttling counters shared by every hub process, and the audit log of admin actions.
 * These tables are hub-wide (like `region`): their keys do not lead with region_id.
 */
export class AdminAccounts1764000000400 implements MigrationInterface {
  name = 'AdminAccounts1764000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE admin_account (
        admin_id       integer GENERATED ALWAYS AS IDENTITY,
        username       text NOT NULL,
        -- 'hub': every region, queues, region creation; 'region': only the regions in admin_region
        role           text NOT NULL,
        -- scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>: parameters kept per account
        password_hash  text NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT admin_account_pk PRIMARY KEY (admin_id),
        CONSTRAINT admin_account_username_uq UNIQUE (username),
        CONSTRAINT admin_account_role_check CHECK (role IN ('hub', 'region'))
      )`);
    await q.query(`
      CREATE TABLE admin_region (
        admin_id   integer NOT NULL,
        region_id  integer NOT NULL,
        CONSTRAINT admin_region_pk PRIMARY KEY (admin_id, region_id),
        CONSTRAINT admin_region_admin_id_fkey FOREIGN KEY (admin_id) REFERENCES admin_account (admin_id) ON DELETE CASCADE,
        CONSTRAINT admin_region_region_id_fkey FOREIGN KEY (region_id) REFERENCES region (region_id) ON DELETE CASCADE
      )`);
    // A session is found by the SHA-256 of its token: a leaked table holds no usable token.
    await q.query(`
      CREATE TABLE admin_session (
        token_hash           bytea NOT NULL,
        admin_id             integer NOT NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        expires_at           timestamptz NOT NULL,
        absolute_expires_at  timestamptz NOT NULL,
        revoked_at           timestamptz,
        CONSTRAINT admin_session_pk PRIMARY KEY (token_hash),
        CONSTRAINT admin_session_admin_id_fkey FOREIGN KEY (admin_id) REFERENCES admin_account (admin_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX admin_session_admin_idx ON admin_session (admin_id)`);
    // One row per throttled key ('account:<name>' or 'ip:<address>'): failures in the current window.
    await q.query(`
      CREATE TABLE admin_login_throttle (
        key                text NOT NULL,
        failures           integer NOT NULL DEFAULT 0,
        window_started_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT admin_login_throttle_pk PRIMARY KEY (key)
      )`);
    // Every admin action: who, what, where, before -> after. region_id is kept without a foreign
    // key so the record outlives what it is about.
    await q.query(`
      CREATE TABLE audit_log (
        audit_id    bigint GENERATED ALWAYS AS IDENTITY,
        at          timestamptz NOT NULL DEFAULT now(),
        actor       text NOT NULL,
        action      text NOT NULL,
        region_id   integer,
        region      text,
        target      text,
        before      jsonb,
        after       jsonb,
        CONSTRAINT audit_log_pk PRIMARY KEY (audit_id)
      )`);
    // the dashboard pages one region's log, newest first
    await q.query(`CREATE INDEX audit_log_region_idx ON audit_log (region_id, audit_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE admin_login_throttle`);
    await q.query(`DROP TABLE admin_session`);
    await q.query(`DROP TABLE admin_region`);
    await q.query(`DROP TABLE admin_account`);
  }
}
