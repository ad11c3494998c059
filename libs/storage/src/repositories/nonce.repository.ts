import type { DataSource } from 'typeorm';

/** Used sync-token nonces in Postgres: the replay cache's fallback while Redis is unreachable. */
export class NonceRepository {
  constructor(private readonly ds: DataSource) {}

  /** Records the nonce; false when it was already recorded (a replay). */
  async claim(regionId: number, nonce: Buffer, ttlMs: number): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `INSERT INTO sync_nonce (region_id, nonce, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (region_id, nonce) DO NOTHING RETURNING 1`,
      [regionId, nonce, ttlMs],
    );
    return rows.length === 1;
  }

  async deleteExpired(regionId: number): Promise<number> {
    const [, affected] = (await this.ds.query('DELETE FROM sync_nonce WHERE region_id = $1 AND expires_at < now()', [regionId])) as [unknown, number];
    return affected ?? 0;
  }
}
