import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Envelope v2 (docs/envelope-v2.md) and per-region sender policy (docs/quotas.md "Who is proven").
 * envelope.signature_v2 holds the sender's XEdDSA signature, stored only once verified: a row
 * with one is *proven* (its sender made it). region.sender_policy says what an unproven
 * envelope may do in the region.
 */
export class EnvelopeV21764000000100 implements MigrationInterface {
  name = 'EnvelopeV21764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE envelope ADD COLUMN signature_v2 text`);
    await q.query(`ALTER TABLE region ADD COLUMN sender_policy text NOT NULL DEFAULT 'v1'`);
    await q.query(`ALTER TABLE region ADD CONSTRAINT region_sender_policy_check CHECK (sender_policy IN ('v1', 'v2-for-quota', 'v2-required'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE region DROP CONSTRAINT region_sender_policy_check`);
    await q.query(`ALTER TABLE region DROP COLUMN sender_policy`);
    await q.query(`ALTER TABLE envelope DROP COLUMN signature_v2`);
  }
}
