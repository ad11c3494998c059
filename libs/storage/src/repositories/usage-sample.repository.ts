import type { DataSource } from 'typeorm';

export interface UsagePoint {
  /** start of the step */
  at: Date;
  bytes: number;
  envelopes: number;
  people: number;
}

/** Per-region usage samples (usage_sample): written by the usage.sample job, read by usageSeries. */
export class UsageSampleRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * One sample per region, all at the same instant, from the usage rows (no envelope scan);
   * regions without usage get zeros. Then samples older than `retentionDays` go. Returns the
   * number of regions sampled.
   */
  async record(retentionDays: number): Promise<number> {
    const rows = await this.ds.query(
      `INSERT INTO usage_sample (region_id, at, bytes, envelopes, people)
       SELECT r.region_id, now(), coalesce(u.bytes, 0), coalesce(u.envelopes, 0), coalesce(u.people, 0)
         FROM region r
         LEFT JOIN (SELECT region_id, sum(bytes)::bigint AS bytes, sum(envelopes)::bigint AS envelopes, count(*) FILTER (WHERE envelopes > 0)::int AS people
                      FROM person_usage GROUP BY region_id) u ON u.region_id = r.region_id
       ON CONFLICT (region_id, at) DO NOTHING
       RETURNING region_id`,
    );
    // per region through the primary key, not a scan of every sample
    await this.ds.query(
      `DELETE FROM usage_sample s USING region r WHERE s.region_id = r.region_id AND s.at < now() - make_interval(days => $1)`,
      [retentionDays],
    );
    return rows.length;
  }

  /** The last sample of each step in [from, to), steps of `stepSeconds` from `from`; empty steps are absent. */
  async series(regionId: number, from: Date, to: Date, stepSeconds: number): Promise<UsagePoint[]> {
    const rows: Array<{ b: string; bytes: string; envelopes: string; people: number }> = await this.ds.query(
      `SELECT DISTINCT ON (b) b, bytes, envelopes, people
         FROM (SELECT floor(extract(epoch FROM at - $2::timestamptz) / $4)::bigint AS b, at, bytes, envelopes, people
                 FROM usage_sample WHERE region_id = $1 AND at >= $2 AND at < $3) s
        ORDER BY b, at DESC`,
      [regionId, from, to, stepSeconds],
    );
    return rows.map((r) => ({
      at: new Date(from.getTime() + Number(r.b) * stepSeconds * 1000),
      bytes: Number(r.bytes),
      envelopes: Number(r.envelopes),
      people: Number(r.people),
    }));
  }
}
