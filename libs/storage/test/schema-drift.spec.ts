import { describe, expect, it } from 'vitest';
import { useTestDataSource } from '../../../test/support/storage';

const t = useTestDataSource(1);

describe('migrations and entities', () => {
  it('describe the same schema (TypeORM would generate no migration)', async () => {
    const sql = await t.ds.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('are all applied to the template', async () => {
    expect(await t.ds.showMigrations()).toBe(false);
  });

  it('lead every primary key and index with region_id (distributable by region)', async () => {
    const rows: Array<{ table: string; index: string; first: string }> = await t.ds.query(`
      SELECT t.relname AS table, i.relname AS index, a.attname AS first
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
       WHERE n.nspname = 'public' AND t.relname <> 'migrations'`);
    // The region table itself is the tenant list (a Citus reference table): looked up by key.
    // Admin accounts, their sessions and throttling are hub-wide too (reference tables); the
    // audit log holds hub-wide actions beside regional ones, so its key is its own id.
    const hubWide = new Set(['admin_account', 'admin_region', 'admin_session', 'admin_login_throttle', 'audit_log']);
    const offenders = rows.filter((r) => r.first !== 'region_id' && !hubWide.has(r.table));
    expect(offenders).toEqual([{ table: 'region', index: 'region_public_key_uq', first: 'public_key' }]);
    expect(rows.map((r) => r.index).sort()).toEqual(
      [
        'admin_account_pk', 'admin_account_username_uq', 'admin_login_throttle_pk', 'admin_region_pk',
        'admin_session_admin_idx', 'admin_session_pk', 'audit_log_pk', 'audit_log_region_idx',
        'envelope_pk', 'envelope_region_sender_idx', 'envelope_region_seq_uq', 'envelope_region_ts_idx',
        'eviction_envelope_uq', 'eviction_pk', 'eviction_region_person_idx',
        'person_erase_pk', 'person_policy_pk', 'person_usage_pk', 'person_usage_region_bytes_idx',
        'region_pkey', 'region_public_key_uq', 'region_sender_pkey', 'region_seq_pkey', 'removed_envelope_pk', 'removed_envelope_region_removed_idx',
        'sync_nonce_pk', 'sync_nonce_region_expires_idx', 'usage_sample_pk',
      ],
    );
  });
});
