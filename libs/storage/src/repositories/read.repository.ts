import type { DataSource } from 'typeorm';
import type { RemovedReason } from '../entities';
import type { EnvelopeHeader } from './envelope.repository';
import { preparedQuery } from './prepared';
import { inTransaction } from '../transaction';
import { countedSql, limitSql, pressureSql, UNPROVEN_POOL } from '../accounting';
import { POLICY_COLUMNS, type QuotaPolicyRow, toPolicyRow } from './quota.repository';

/** Reads behind the GraphQL API. Every method takes the region first; every page is keyset-paged. */
export interface EnvelopePageQuery {
  /** only envelopes with seq > afterSeq (the commit-ordered cursor) */
  afterSeq: number;
  limit: number;
  sender?: string;
  /** only envelopes whose own timestamp is at or after this (ms since 1970) */
  sinceMs?: number;
}

export interface RegionVersion {
  lastSeq: number;
  removedSeq: number;
}

export interface PersonUsageRow {
  person: string;
  bytes: number;
  envelopes: number;
  /** usage ÷ limit, set by the PRESSURE_DESC page (null: no limit) */
  pressure?: number | null;
}

export type PersonOrder = 'publicKey' | 'usage' | 'envelopes' | 'pressure';

export interface PersonPageQuery {
  orderBy: PersonOrder;
  /** the last row of the previous page: (value of the order column, person); pressure may be null */
  after?: { value: number | string | null; person: string };
  limit: number;
  /** only people whose key starts with it, or whose current name contains it (any case) */
  search?: string;
}

/** Per region: people near (within 10 %) and over their limit, and what arrived in the last hour. */
export interface RegionPressure {
  overLimit: number;
  nearLimit: number;
  ingestEnvelopes: number;
  ingestBytes: number;
}

export interface UsageTotals {
  envelopes: number;
  bytes: number;
  people: number;
}

/** An envelope as the API sends it: sealed fields already in their wire text. */
export interface EnvelopeView extends EnvelopeHeader {
  sealedRecipients: string[];
  /** standard base64, as on the wire ('' for a tombstone) */
  sealedLetter: string;
}

// Postgres hands out the sealed fields as wire text: base64 is a third smaller than bytea's hex
// and needs no Buffer round trip in Node; recipients are base58 (no ',') so one string splits
// faster than Postgres array text parses. encode() breaks lines every 76 characters: removed
// with replace(), which costs a fraction of translate() (measured: 463 → 1,027 pages/s, 50 clients).
const VIEW_COLUMNS = `id, seq, ts_ms, "timestamp", sender, signature, signature_v2,
  array_to_string(sealed_recipients, ',') AS recipients,
  replace(encode(sealed_letter, 'base64'), E'\\n', '') AS letter,
  size, (extract(epoch FROM received_at) * 1000)::float8 AS received_ms, purpose, first_id, reply_to, removed_reason`;

const RAW_COLUMNS = `id, seq, ts_ms, "timestamp", sender, signature, signature_v2, sealed_recipients, sealed_letter, size, received_at,
  purpose, first_id, reply_to, removed_reason`;

/**
 * The page query of `envelopes` (exported for the benchmark's floor, which runs it through plain
 * pg). Parameters: $1 region, $2 after-seq, $3 limit, then sender and since when asked for.
 */
export function envelopePageSql(filters: { sender?: boolean; since?: boolean } = {}): string {
  let n = 3;
  // Without a sender, live rows are spelled `sealed_letter IS NOT NULL` (the CHECK ties it to
  // removed_at IS NULL) so the planner cannot pick the partial sender index and sort the whole
  // region; with one, that index is the right path. The page is cut in the subquery, so the
  // base64 encoding runs for the rows returned only, whatever the plan.
  const live = filters.sender ? ` AND sender = $${++n} AND removed_at IS NULL` : ' AND sealed_letter IS NOT NULL';
  const since = filters.since ? ` AND ts_ms >= $${++n}` : '';
  return `SELECT ${VIEW_COLUMNS} FROM (
    SELECT ${RAW_COLUMNS} FROM envelope WHERE region_id = $1 AND seq > $2${live}${since} ORDER BY seq LIMIT $3
  ) e ORDER BY seq`;
}

/**
 * The statement of a persons page (exported so a test can EXPLAIN it). PRESSURE_DESC: everyone
 * without a policy row has the region's default limit, so among them pressure (usage ÷ limit)
 * follows bytes: that part is a walk down person_usage_region_bytes_idx. The few with a policy
 * row (and the hub's own identity) are ranked apart and merged in; people without a limit come
 * last. A limit of 0 counts as 1 byte (pressure stays finite). Nothing sorts the whole region.
 */
export function personPageSql(regionId: number, q: PersonPageQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [regionId, q.limit];
  if (q.orderBy !== 'pressure') {
    let after = '';
    let order: string;
    if (q.orderBy === 'publicKey') {
      order = 'person';
      if (q.after) after = ` AND person > $${params.push(q.after.person)}`;
    } else {
      const col = q.orderBy === 'usage' ? 'bytes' : 'envelopes';
      order = `${col} DESC, person`;
      if (q.after) {
        const v = params.push(q.after.value);
        const p = params.push(q.after.person);
        after = ` AND (${col} < $${v} OR (${col} = $${v} AND person > $${p}))`;
      }
    }
    const search = q.search ? searchFilter('person', params, q.search) : '';
    // the unproven pool's account is not a person
    return { sql: `SELECT person, bytes, envelopes FROM person_usage WHERE region_id = $1 AND person <> '${UNPROVEN_POOL}'${after}${search} ORDER BY ${order} LIMIT $2`, params };
  }
  // the limit rule (accounting.ts) over a policy row k, or the hub's own identity
  const limit = limitSql({ person: 'k.person', tier: 'k.tier', overrideBytes: 'k.override_bytes', defaultBytes: 'r.d', trustedBytes: 'r.t', hubPublicKey: 'r.hub', unprovenPoolBytes: 'r.pool' });
  const pressure = pressureSql('u.bytes', limit);
  const plainPressure = pressureSql('u.bytes', 'r.d');
  let plainAfter = '';
  let specialAfter = '';
  if (q.after) {
    const pp = params.push(q.after.person);
    if (q.after.value === null) {
      plainAfter = ' AND false';
      specialAfter = ` AND s.pressure IS NULL AND s.person > $${pp}`;
    } else {
      const pv = params.push(Number(q.after.value));
      // the bytes bound lets the index range start at the cursor; the exact test follows it
      plainAfter = ` AND u.bytes <= (SELECT (ceil($${pv}::float8 * greatest(d, 1)) + 1)::bigint FROM r)
          AND (${plainPressure} < $${pv}::float8 OR (${plainPressure} = $${pv}::float8 AND u.person > $${pp}))`;
      specialAfter = ` AND (s.pressure IS NULL OR s.pressure < $${pv}::float8 OR (s.pressure = $${pv}::float8 AND s.person > $${pp}))`;
    }
  }
  const plainSearch = q.search ? searchFilter('u.person', params, q.search) : '';
  const specialSearch = plainSearch.replaceAll('u.person', 's.person');
  const sql = `WITH r AS MATERIALIZED (
         SELECT default_quota_bytes AS d, trusted_quota_bytes AS t, hub_public_key AS hub, unproven_pool_bytes AS pool FROM region WHERE region_id = $1
       ),
       -- no policy row, not the hub: resolveLimit is the region's default, so pressure follows bytes
       plain AS (
         SELECT u.person, u.bytes, u.envelopes, ${plainPressure} AS pressure
           FROM person_usage u CROSS JOIN r
          WHERE u.region_id = $1 AND u.person <> r.hub AND u.person <> '${UNPROVEN_POOL}'
            AND NOT EXISTS (SELECT 1 FROM person_policy x WHERE x.region_id = $1 AND x.person = u.person)${plainAfter}${plainSearch}
          ORDER BY u.bytes DESC, u.person
          LIMIT $2
       ),
       special AS (
         SELECT s.* FROM (
           SELECT k.person, u.bytes, u.envelopes, ${pressure} AS pressure
             FROM (SELECT person, tier, override_bytes FROM person_policy WHERE region_id = $1
                   UNION ALL
                   SELECT hub, NULL, NULL FROM r WHERE NOT EXISTS (SELECT 1 FROM person_policy WHERE region_id = $1 AND person = r.hub)) k
             CROSS JOIN r
             -- one primary-key lookup per policy row: a join would read the whole region
             CROSS JOIN LATERAL (SELECT bytes, envelopes FROM person_usage WHERE region_id = $1 AND person = k.person LIMIT 1) u
         ) s
          WHERE true${specialAfter}${specialSearch}
          ORDER BY s.pressure DESC NULLS LAST, s.person
          LIMIT $2
       )
       SELECT * FROM (SELECT * FROM plain UNION ALL SELECT * FROM special) m
        ORDER BY pressure DESC NULLS LAST, person
        LIMIT $2`;
  return { sql, params };
}

/** The largest bigint: the upper end of the over-limit range (see regionLimitCountsSql). */
const BIGINT_MAX = '9223372036854775807';

/**
 * The statement counting people over and near their limit for several regions ($1: their ids;
 * exported so a test can EXPLAIN it). One correlated count per region walks a range of
 * person_usage_region_bytes_idx. The over-limit range is spelled with BOTH ends (bytes > d AND
 * bytes <= the largest bigint, which every row satisfies): an open range against a per-region
 * value is estimated at a third of the table, so the planner preferred a seq scan of
 * person_usage per region (1,001 regions, one of 200,000 usage rows: 22 s); a closed range is
 * estimated small, like the near-limit one, and stays an index walk (~0.1 s).
 */
export function regionLimitCountsSql(): string {
  return `WITH r AS MATERIALIZED (
           SELECT region_id, default_quota_bytes AS d, hub_public_key AS hub FROM region WHERE region_id = ANY($1::int[])
         ),
         -- no policy row, not the hub: resolveLimit is the region's default (d)
         plain AS (
           SELECT r.region_id,
             (SELECT count(*) FROM person_usage u WHERE u.region_id = r.region_id AND u.bytes > r.d AND u.bytes <= ${BIGINT_MAX} AND u.person <> r.hub AND u.person <> '${UNPROVEN_POOL}'
                 AND NOT EXISTS (SELECT 1 FROM person_policy p WHERE p.region_id = u.region_id AND p.person = u.person)) AS over_limit,
             (SELECT count(*) FROM person_usage u WHERE u.region_id = r.region_id AND u.bytes <= r.d AND u.bytes >= ceil(0.9 * r.d)::bigint AND u.person <> r.hub AND u.person <> '${UNPROVEN_POOL}'
                 AND NOT EXISTS (SELECT 1 FROM person_policy p WHERE p.region_id = u.region_id AND p.person = u.person)) AS near_limit
           FROM r
         ),
         special AS (
           SELECT c.region_id, count(*) FILTER (WHERE c.bytes > c.lim) AS over_limit,
                  count(*) FILTER (WHERE c.bytes <= c.lim AND c.bytes >= 0.9 * c.lim) AS near_limit
             FROM (
               -- one primary-key lookup per policy row (a join would read the whole region)
               SELECT p.region_id,
                      (SELECT u.bytes FROM person_usage u WHERE u.region_id = p.region_id AND u.person = p.person) AS bytes,
                      ${limitSql({ person: 'p.person', tier: 'p.tier', overrideBytes: 'p.override_bytes', defaultBytes: 'x.default_quota_bytes', trustedBytes: 'x.trusted_quota_bytes', hubPublicKey: 'x.hub_public_key', unprovenPoolBytes: 'x.unproven_pool_bytes' })} AS lim
                 FROM person_policy p JOIN region x ON x.region_id = p.region_id
                WHERE p.region_id = ANY($1::int[])
             ) c
            WHERE c.lim IS NOT NULL AND c.bytes IS NOT NULL
            GROUP BY c.region_id
         )
         SELECT plain.region_id, plain.over_limit + coalesce(s.over_limit, 0) AS over_limit, plain.near_limit + coalesce(s.near_limit, 0) AS near_limit
           FROM plain LEFT JOIN special s ON s.region_id = plain.region_id`;
}

function toView(r: Record<string, unknown>): EnvelopeView {
  const recipients = r.recipients as string | null;
  return {
    id: r.id as Buffer,
    seq: Number(r.seq),
    tsMs: Number(r.ts_ms),
    timestamp: r.timestamp as string,
    sender: r.sender as string,
    signature: r.signature as string,
    signatureV2: (r.signature_v2 as string | null) ?? null,
    sealedRecipients: recipients ? recipients.split(',') : [],
    sealedLetter: (r.letter as string | null) ?? '',
    size: Number(r.size),
    receivedAt: new Date(r.received_ms as number),
    purpose: (r.purpose as string | null) ?? null,
    firstId: (r.first_id as string | null) ?? null,
    replyTo: (r.reply_to as string | null) ?? null,
    removedReason: (r.removed_reason as RemovedReason | null) ?? null,
  };
}

/**
 * The persons search as SQL over `column`: key prefix, or a current name (newest live
 * action-assign/name letter) containing the text, any case. Adds its parameters to `params`.
 */
function searchFilter(column: string, params: unknown[], search: string): string {
  const prefix = params.push(search);
  const pattern = params.push(`%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  return ` AND (starts_with(${column}, $${prefix}) OR ${column} IN (
      SELECT n.sender FROM (
        SELECT DISTINCT ON (sender) sender, public_content FROM envelope
         WHERE region_id = $1 AND purpose = 'action-assign/name' AND removed_at IS NULL
         ORDER BY sender, ts_ms DESC, id DESC
      ) n WHERE n.public_content ILIKE $${pattern}))`;
}

function toUsage(r: { person: string; bytes: string; envelopes: number }): PersonUsageRow {
  return { person: r.person, bytes: Number(r.bytes), envelopes: Number(r.envelopes) };
}

export class ReadRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * A statement over many regions looks costly to the planner (one small index walk per region),
   * so Postgres would JIT-compile it: measured ~500 ms of compiling for a 150 ms query.
   */
  private withoutJit(sql: string, params: unknown[]): Promise<any> {
    return inTransaction(this.ds, async (m) => {
      await m.query('SET LOCAL jit = off');
      return m.query(sql, params);
    });
  }

  /**
   * Live envelopes in seq order after a cursor. Seq is assigned under the region's counter lock
   * and becomes visible in order, so paging by seq never skips or repeats a row while others write.
   */
  async envelopePage(regionId: number, q: EnvelopePageQuery): Promise<EnvelopeView[]> {
    const params: unknown[] = [regionId, q.afterSeq, q.limit];
    if (q.sender !== undefined) params.push(q.sender);
    if (q.sinceMs !== undefined) params.push(q.sinceMs);
    const sql = envelopePageSql({ sender: q.sender !== undefined, since: q.sinceMs !== undefined });
    return (await this.ds.query(sql, params)).map(toView);
  }

  /**
   * The region's read version: last_seq moves with every append and removal, removed_seq with
   * removals only. Read it BEFORE a page: the page then shows at least that version.
   */
  async regionVersion(regionId: number): Promise<RegionVersion | null> {
    // asked on every cached GraphQL page: TypeORM's query path costs more than the query itself
    const [row] = await preparedQuery<{ last_seq: string; removed_seq: string }>(
      this.ds,
      'kiki_region_version',
      'SELECT last_seq, removed_seq FROM region_seq WHERE region_id = $1',
      [regionId],
    );
    return row ? { lastSeq: Number(row.last_seq), removedSeq: Number(row.removed_seq) } : null;
  }

  /** One envelope by id, tombstone included (the caller decides what a removed one means). */
  async envelope(regionId: number, id: Buffer): Promise<EnvelopeView | null> {
    const [row] = await this.ds.query(`SELECT ${VIEW_COLUMNS} FROM envelope WHERE region_id = $1 AND id = $2`, [regionId, id]);
    return row ? toView(row) : null;
  }

  /** Live envelopes by id in seq order (what a subscription publishes after a commit). */
  async envelopesByIds(regionId: number, ids: Buffer[]): Promise<EnvelopeView[]> {
    if (ids.length === 0) return [];
    const rows = await this.ds.query(
      `SELECT ${VIEW_COLUMNS} FROM envelope WHERE region_id = $1 AND id = ANY($2::bytea[]) AND removed_at IS NULL ORDER BY seq`,
      [regionId, ids],
    );
    return rows.map(toView);
  }

  /** Usage rows of many people at once (the per-request DataLoader batches into this). */
  async personUsage(regionId: number, people: string[]): Promise<PersonUsageRow[]> {
    if (people.length === 0) return [];
    const rows = await this.ds.query(
      'SELECT person, bytes, envelopes FROM person_usage WHERE region_id = $1 AND person = ANY($2::text[])',
      [regionId, people],
    );
    return rows.map(toUsage);
  }

  /**
   * The name of each person: content of their newest live public `action-assign/name` (kiki:
   * the latest assign-action wins; an empty one clears the name).
   */
  async personNames(regionId: number, people: string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    if (people.length === 0) return out;
    // DISTINCT ON keeps the first row per sender in (ts_ms DESC, id DESC) order: the newest
    const rows: Array<{ sender: string; name: string | null }> = await this.ds.query(
      `SELECT DISTINCT ON (sender) sender, nullif(public_content, '') AS name
         FROM envelope
        WHERE region_id = $1 AND sender = ANY($2::text[]) AND purpose = 'action-assign/name' AND removed_at IS NULL
        ORDER BY sender, ts_ms DESC, id DESC`,
      [regionId, people],
    );
    for (const r of rows) out.set(r.sender, r.name);
    return out;
  }

  /** The quota policy of many people at once (region tiers + their own row), as QuotaRepository.policy gives one. */
  async personPolicies(regionId: number, people: string[]): Promise<Map<string, QuotaPolicyRow>> {
    const out = new Map<string, QuotaPolicyRow>();
    if (people.length === 0) return out;
    const rows: Array<Record<string, any>> = await this.ds.query(
      `SELECT u.person, ${POLICY_COLUMNS}
         FROM region r
         CROSS JOIN unnest($2::text[]) AS u(person)
         LEFT JOIN person_policy p ON p.region_id = r.region_id AND p.person = u.person
        WHERE r.region_id = $1`,
      [regionId, people],
    );
    for (const r of rows) out.set(r.person, toPolicyRow(r));
    return out;
  }

  /**
   * People of a region with their usage, keyset-paged in the order asked (ties broken by key).
   * USAGE_DESC and PRESSURE_DESC walk person_usage_region_bytes_idx; PUBLIC_KEY the primary key.
   */
  async personPage(regionId: number, q: PersonPageQuery): Promise<PersonUsageRow[]> {
    const { sql, params } = personPageSql(regionId, q);
    const rows: Array<{ person: string; bytes: string; envelopes: number; pressure?: number | null }> = await this.ds.query(sql, params);
    return rows.map((r) => (q.orderBy === 'pressure' ? { ...toUsage(r), pressure: r.pressure == null ? null : Number(r.pressure) } : toUsage(r)));
  }

  /** Counted bytes of each person's live envelopes that arrived since `since` (sender index). */
  async personIngestSince(regionId: number, people: string[], since: Date): Promise<Map<string, number>> {
    if (people.length === 0) return new Map();
    const rows: Array<{ sender: string; bytes: string }> = await this.ds.query(
      `SELECT sender, coalesce(sum(size) FILTER (WHERE ${countedSql()}), 0)::bigint AS bytes
         FROM envelope
        WHERE region_id = $1 AND sender = ANY($2::text[]) AND removed_at IS NULL AND received_at >= $3
        GROUP BY sender`,
      [regionId, people, since],
    );
    return new Map(rows.map((r) => [r.sender, Number(r.bytes)]));
  }

  /**
   * People over and within 10 % of their limit, and envelopes that arrived in the last hour, for
   * several regions (two statements, whatever their number). Limits follow QuotaRepository's
   * rule. People without a policy row share the region's default limit: they are counted by two
   * ranges of person_usage_region_bytes_idx (over it; 90-100 % of it); the few with a policy row
   * one by one. The last hour is found by walking the seq index down from the top until a live
   * envelope older than the hour (live envelopes keep their commit order; a removal moves its
   * row up, so removed ones are counted by their own received_at).
   */
  async regionPressure(regionIds: number[]): Promise<Map<number, RegionPressure>> {
    if (regionIds.length === 0) return new Map();
    const [limits, ingest] = await Promise.all([
      this.withoutJit(
        regionLimitCountsSql(),
        [regionIds],
      ) as Promise<Array<{ region_id: number; over_limit: string; near_limit: string }>>,
      this.withoutJit(
        `SELECT r.region_id, i.envelopes, i.bytes
           FROM region r
           CROSS JOIN LATERAL (
             SELECT count(*)::bigint AS envelopes,
                    coalesce(sum(e.size) FILTER (WHERE ${countedSql('e')}), 0)::bigint AS bytes
               FROM envelope e
              WHERE e.region_id = r.region_id AND e.received_at >= now() - interval '1 hour'
                AND e.seq > coalesce((SELECT o.seq FROM envelope o
                                       WHERE o.region_id = r.region_id AND o.removed_at IS NULL AND o.received_at < now() - interval '1 hour'
                                       ORDER BY o.seq DESC LIMIT 1), 0)
           ) i
          WHERE r.region_id = ANY($1::int[])`,
        [regionIds],
      ) as Promise<Array<{ region_id: number; envelopes: string; bytes: string }>>,
    ]);
    const out = new Map<number, RegionPressure>();
    for (const l of limits) out.set(Number(l.region_id), { overLimit: Number(l.over_limit), nearLimit: Number(l.near_limit), ingestEnvelopes: 0, ingestBytes: 0 });
    for (const i of ingest) {
      const p = out.get(Number(i.region_id));
      if (p) Object.assign(p, { ingestEnvelopes: Number(i.envelopes), ingestBytes: Number(i.bytes) });
    }
    return out;
  }

  /** Live envelopes, counted bytes and people with something stored, over the hub, from the usage rows (no envelope scan). */
  async usageTotals(): Promise<UsageTotals> {
    const [row] = await this.ds.query(
      `SELECT coalesce(sum(envelopes), 0)::bigint AS envelopes, coalesce(sum(bytes), 0)::bigint AS bytes,
              count(*) FILTER (WHERE envelopes > 0)::bigint AS people
         FROM person_usage`,
    );
    return { envelopes: Number(row.envelopes), bytes: Number(row.bytes), people: Number(row.people) };
  }

  /** The same totals for several regions in one statement (regions without usage are absent). */
  async usageTotalsByRegion(regionIds: number[]): Promise<Map<number, UsageTotals>> {
    const rows: Array<{ region_id: number; envelopes: string; bytes: string; people: string }> = await this.ds.query(
      `SELECT region_id, sum(envelopes)::bigint AS envelopes, sum(bytes)::bigint AS bytes, count(*) FILTER (WHERE envelopes > 0)::bigint AS people
         FROM person_usage WHERE region_id = ANY($1::int[]) GROUP BY region_id`,
      [regionIds],
    );
    return new Map(rows.map((r) => [r.region_id, { envelopes: Number(r.envelopes), bytes: Number(r.bytes), people: Number(r.people) }]));
  }
}
