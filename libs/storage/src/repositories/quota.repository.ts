import type { DataSource, EntityManager } from 'typeorm';
import { accountSql, countedSql, type LimitInputs, OVER_LIMIT_SQL, overLimitSql, POOLED_SQL, UNPROVEN_POOL } from '../accounting';
import type { EvictionReason, QuotaTier } from '../entities';
import { type Db, inTransaction, returnedRows } from '../transaction';

/** What decides one person's limit (resolveLimit in ../accounting.ts). */
export type QuotaPolicyRow = LimitInputs;

export interface PersonPolicyRow {
  person: string;
  tier: QuotaTier;
  overrideBytes: number | null;
  updatedAt: Date;
}

export interface UsageRow {
  bytes: number;
  envelopes: number;
}

/** A usage row with its version (xmin): any ingest or removal of the person changes it. */
export interface VersionedUsage extends UsageRow {
  version: string;
}

export interface EraseMark {
  eraseId: Buffer;
  eraseTsMs: number;
}

/** A live envelope the plan would evict, in eviction order. */
export interface EvictionCandidate {
  id: Buffer;
  /** its sender (the account planned for may be the region's unproven pool) */
  sender: string;
  size: number;
  purpose: string | null;
  reason: Exclude<EvictionReason, 'erase'>;
}

export interface EvictionPlan {
  /** the usage row as seen by the same snapshot as the envelopes (null: no row) */
  usage: VersionedUsage | null;
  /** recomputed from the person's live envelopes (actions exempt) */
  bytes: number;
  /** every live envelope of the person, actions included */
  envelopes: number;
  /** the fewest candidates, in order, that bring bytes to the limit or below (at most `batch`) */
  candidates: EvictionCandidate[];
}

export interface NewEviction {
  envelopeId: Buffer;
  person: string;
  reason: EvictionReason;
  size: number;
  purpose: string | null;
  limitBytes: number | null;
}

export interface EvictionRecord extends NewEviction {
  evictionId: string;
  evictedAt: Date;
}

export interface SweepFindings {
  /** people whose usage row differs from their live envelopes (or is missing) */
  drifted: string[];
  /** people with a live action-erase and older live envelopes */
  erasePending: string[];
  /** live envelopes scanned */
  scanned: number;
}

/** Sealed letter over this many bytes counts as "large" (kiki's original threshold). */
export const LARGE_LETTER_BYTES = 5000;

// The accounting and limit rules (../accounting.ts), as SQL.
const COUNTED = countedSql();
const OVER_LIMIT = OVER_LIMIT_SQL;

// Only an erase its sender proved (envelope v2) erases anything on the hub.
const PROVEN_ERASE = `(purpose = 'action-erase' AND signature_v2 IS NOT NULL)`;
// An erase reaches back to its own date or the hub's receive time, whichever is earlier.
const ERASE_REACH = `least(ts_ms, (extract(epoch FROM received_at) * 1000)::bigint)`;

/**
 * The live envelopes counted in one usage account ($1 region, $2 account): a person's own, or,
 * for the unproven pool, every unproven envelope of a region that pools them.
 */
function accountRows(account: string): string {
  return account === UNPROVEN_POOL
    ? `region_id = $1 AND signature_v2 IS NULL AND removed_at IS NULL AND ${POOLED_SQL}`
    : `region_id = $1 AND sender = $2 AND removed_at IS NULL AND ${accountSql()} = $2`;
}

/** What a person's limit is read from (region r, person_policy p LEFT JOINed): see toPolicyRow. */
export const POLICY_COLUMNS = 'r.default_quota_bytes, r.trusted_quota_bytes, r.hub_public_key, r.unproven_pool_bytes, p.tier, p.override_bytes';

/** A row of POLICY_COLUMNS as resolveLimit takes it (no policy row: the default tier). */
export function toPolicyRow(row: Record<string, any>): QuotaPolicyRow {
  return {
    defaultBytes: Number(row.default_quota_bytes),
    trustedBytes: Number(row.trusted_quota_bytes),
    hubPublicKey: row.hub_public_key,
    tier: (row.tier ?? 'default') as QuotaTier,
    overrideBytes: row.override_bytes === null ? null : Number(row.override_bytes),
    unprovenPoolBytes: Number(row.unproven_pool_bytes),
  };
}

const REASON_BY_STEP: Record<number, EvictionCandidate['reason']> = {
  0: 'unproven',
  1: 'superseded-image',
  2: 'superseded-edit',
  3: 'large',
  4: 'oldest',
};

/** Quota policy, usage locking, eviction planning and records (see docs/quotas.md). */
export class QuotaRepository {
  constructor(private readonly ds: DataSource) {}

  // ---- policy ----------------------------------------------------------------------------

  async policy(regionId: number, person: string, m: Db = this.ds): Promise<QuotaPolicyRow | null> {
    const [row] = await m.query(
      `SELECT ${POLICY_COLUMNS}
         FROM region r LEFT JOIN person_policy p ON p.region_id = r.region_id AND p.person = $2
        WHERE r.region_id = $1`,
      [regionId, person],
    );
    return row ? toPolicyRow(row) : null;
  }

  /** Writes a person's tier and override; back to plain default removes the row. */
  async setPersonPolicy(regionId: number, person: string, tier: QuotaTier, overrideBytes: number | null): Promise<void> {
    if (tier === 'default' && overrideBytes === null) {
      await this.ds.query('DELETE FROM person_policy WHERE region_id = $1 AND person = $2', [regionId, person]);
      return;
    }
    await this.ds.query(
      `INSERT INTO person_policy (region_id, person, tier, override_bytes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (region_id, person) DO UPDATE SET tier = excluded.tier, override_bytes = excluded.override_bytes, updated_at = now()`,
      [regionId, person, tier, overrideBytes],
    );
  }

  async listPersonPolicies(regionId: number, after: string | null, limit: number): Promise<PersonPolicyRow[]> {
    const rows: Array<Record<string, any>> = await this.ds.query(
      `SELECT person, tier, override_bytes, updated_at FROM person_policy
        WHERE region_id = $1 AND ($2::text IS NULL OR person > $2) ORDER BY person LIMIT $3`,
      [regionId, after, limit],
    );
    return rows.map((r) => ({
      person: r.person,
      tier: r.tier,
      overrideBytes: r.override_bytes === null ? null : Number(r.override_bytes),
      updatedAt: r.updated_at,
    }));
  }

  // ---- usage -------------------------------------------------------------------------------

  /** Unlocked read: enough to decide that nothing needs doing (a later commit enqueues its own evaluation). */
  async usage(regionId: number, person: string): Promise<UsageRow> {
    const [row] = await this.ds.query('SELECT bytes, envelopes FROM person_usage WHERE region_id = $1 AND person = $2', [regionId, person]);
    return { bytes: Number(row?.bytes ?? 0), envelopes: Number(row?.envelopes ?? 0) };
  }

  /**
   * The region's sequence counter, locked until commit. Every writer takes it first
   * (EnvelopeRepository.insertBatch and remove), then person_usage rows: one lock order, no deadlock.
   */
  async lockRegion(m: EntityManager, regionId: number): Promise<void> {
    await m.query('SELECT 1 FROM region_seq WHERE region_id = $1 FOR UPDATE', [regionId]);
  }

  /**
   * Locks the person's usage row until commit. Ingest adds to this row in its own transaction,
   * so while it is held every committed envelope of the person is counted in it and no new one
   * can commit. The version tells whether anything of the person changed since a plan was made.
   */
  async lockUsage(m: EntityManager, regionId: number, person: string): Promise<VersionedUsage | null> {
    const [row] = await m.query(
      'SELECT bytes, envelopes, xmin::text AS version FROM person_usage WHERE region_id = $1 AND person = $2 FOR UPDATE',
      [regionId, person],
    );
    return row ? { bytes: Number(row.bytes), envelopes: Number(row.envelopes), version: row.version } : null;
  }

  /** Sets usage to recomputed values (drift repair, under the row lock). */
  async setUsage(m: EntityManager, regionId: number, person: string, usage: UsageRow): Promise<void> {
    await m.query('UPDATE person_usage SET bytes = $3, envelopes = $4, updated_at = now() WHERE region_id = $1 AND person = $2', [
      regionId,
      person,
      usage.bytes,
      usage.envelopes,
    ]);
  }

  // ---- erase -------------------------------------------------------------------------------

  /**
   * The person's newest live *proven* action-erase (walks the sender index backwards; run only
   * when an erase arrived). An unproven erase erases nothing on the hub: anyone could have made it.
   * Its reach is capped at the hub's receive time, so a future-dated erase never removes letters
   * the person sends after it.
   */
  async newestEraseLetter(regionId: number, person: string, m: Db = this.ds): Promise<EraseMark | null> {
    const [row] = await m.query(
      `SELECT id, ${ERASE_REACH} AS ts_ms FROM envelope
        WHERE region_id = $1 AND sender = $2 AND removed_at IS NULL AND ${PROVEN_ERASE}
        ORDER BY ts_ms DESC, id DESC LIMIT 1`,
      [regionId, person],
    );
    return row ? { eraseId: row.id, eraseTsMs: Number(row.ts_ms) } : null;
  }

  async eraseMark(regionId: number, person: string, m: Db = this.ds): Promise<EraseMark | null> {
    const [row] = await m.query('SELECT erase_id, erase_ts_ms FROM person_erase WHERE region_id = $1 AND person = $2', [regionId, person]);
    return row ? { eraseId: row.erase_id, eraseTsMs: Number(row.erase_ts_ms) } : null;
  }

  /** Forgets the person's erase (an admin undid it). */
  async clearErase(regionId: number, person: string): Promise<void> {
    await this.ds.query('DELETE FROM person_erase WHERE region_id = $1 AND person = $2', [regionId, person]);
  }

  /** Ids of the person's live proven erase letters (what undoing their erase takes away). */
  async liveEraseLetters(regionId: number, person: string): Promise<Buffer[]> {
    const rows: Array<{ id: Buffer }> = await this.ds.query(
      `SELECT id FROM envelope WHERE region_id = $1 AND sender = $2 AND removed_at IS NULL AND purpose = 'action-erase'`,
      [regionId, person],
    );
    return rows.map((r) => r.id);
  }

  /** Remembers the newest erase; an older one never replaces a newer. */
  async markErase(regionId: number, person: string, mark: EraseMark, m: Db = this.ds): Promise<void> {
    await m.query(
      `INSERT INTO person_erase (region_id, person, erase_id, erase_ts_ms) VALUES ($1, $2, $3, $4)
       ON CONFLICT (region_id, person) DO UPDATE SET erase_id = excluded.erase_id, erase_ts_ms = excluded.erase_ts_ms, erased_at = now()
        WHERE (person_erase.erase_ts_ms, person_erase.erase_id) < (excluded.erase_ts_ms, excluded.erase_id)`,
      [regionId, person, mark.eraseId, mark.eraseTsMs],
    );
  }

  /** Live envelopes an erase removes: everything dated at or before it except the erase itself (a range on the sender index). */
  async eraseTargets(regionId: number, person: string, mark: EraseMark, batch: number, m: Db = this.ds): Promise<Array<{ id: Buffer; size: number; purpose: string | null }>> {
    const rows: Array<{ id: Buffer; size: number; purpose: string | null }> = await m.query(
      `SELECT id, size, purpose FROM envelope
        WHERE region_id = $1 AND sender = $2 AND removed_at IS NULL AND ts_ms <= $3 AND id <> $4
        ORDER BY ts_ms, id LIMIT $5`,
      [regionId, person, mark.eraseTsMs, mark.eraseId, batch],
    );
    return rows.map((r) => ({ id: r.id, size: Number(r.size), purpose: r.purpose }));
  }

  // ---- eviction ----------------------------------------------------------------------------

  /** Contents (image ids, base58) of the person's live action-assign/image letters, newest first. */
  async assignedImages(regionId: number, person: string, m: Db = this.ds): Promise<Array<string | null>> {
    const rows: Array<{ public_content: string | null }> = await m.query(
      `SELECT public_content FROM envelope
        WHERE region_id = $1 AND sender = $2 AND removed_at IS NULL AND purpose = 'action-assign/image'
        ORDER BY ts_ms DESC, id DESC`,
      [regionId, person],
    );
    return rows.map((r) => r.public_content);
  }

  /**
   * One pass over the person's live envelopes (sender index): recomputes their usage and ranks
   * every counted letter in kiki's eviction order — 1 image letters of superseded
   * action-assign/image, 2 superseded versions of edited public letters, 3 large letters,
   * 4 the rest; oldest first within each — then keeps the shortest prefix whose removal brings
   * the recomputed bytes to `limitBytes` or below. Actions are never candidates. The usage row
   * is read by the same statement, hence the same snapshot: if its version is unchanged once
   * locked, nothing of the person changed and the plan still holds.
   */
  async evictionPlan(
    regionId: number,
    person: string,
    supersededImages: Buffer[],
    limitBytes: number | null,
    batch: number,
    m: Db = this.ds,
  ): Promise<EvictionPlan> {
    const rows: Array<Record<string, any>> = await m.query(
      `WITH live AS MATERIALIZED (
         SELECT id, sender, seq, ts_ms, size, purpose, first_id, ${COUNTED} AS counted, signature_v2 IS NOT NULL AS proven
           FROM envelope WHERE ${accountRows(person)}
       ),
       totals AS (
         SELECT coalesce(sum(size) FILTER (WHERE counted), 0)::bigint AS bytes, count(*)::int AS envelopes FROM live
       ),
       ranked AS (
         SELECT id, sender, size, purpose,
                -- step 0: unproven envelopes, the most recently received first, so an unproven
                -- arrival can only push out itself and later unproven arrivals, never what the hub held
                CASE WHEN NOT proven THEN 0
                     WHEN image THEN 1
                     -- only public letters carry a first_id; the newest proven version of each post
                     -- stays (unproven versions supersede nothing). Step-1 letters do not count as
                     -- versions, so removing them changes no step: the plan is the same whatever the batch size.
                     WHEN first_id IS NOT NULL AND row_number() OVER (PARTITION BY first_id, image, proven ORDER BY ts_ms DESC, id DESC) > 1 THEN 2
                     WHEN size > ${LARGE_LETTER_BYTES} THEN 3
                     ELSE 4 END AS step,
                CASE WHEN proven THEN ts_ms ELSE -seq END AS ord
           FROM (SELECT *, id = ANY($3::bytea[]) AS image FROM live WHERE counted) c
       ),
       running AS (
         SELECT *, sum(size) OVER (ORDER BY step, ord, id ROWS UNBOUNDED PRECEDING) AS freed FROM ranked
       ),
       usage AS (SELECT bytes, envelopes, xmin::text AS version FROM person_usage WHERE region_id = $1 AND person = $2)
       SELECT t.bytes, t.envelopes, u.bytes AS usage_bytes, u.envelopes AS usage_envelopes, u.version, c.id, c.sender, c.size, c.purpose, c.step
         FROM totals t
         LEFT JOIN usage u ON true
         LEFT JOIN LATERAL (
           -- a row is needed while what the rows before it free is not yet enough
           SELECT id, sender, size, purpose, step FROM running
            WHERE $4::bigint IS NOT NULL AND freed - size < t.bytes - $4::bigint
            ORDER BY step, ord, id LIMIT $5
         ) c ON true`,
      [regionId, person, supersededImages, limitBytes, batch],
    );
    const first = rows[0];
    return {
      usage: first?.version ? { bytes: Number(first.usage_bytes), envelopes: Number(first.usage_envelopes), version: first.version } : null,
      bytes: Number(first?.bytes ?? 0),
      envelopes: Number(first?.envelopes ?? 0),
      candidates: rows
        .filter((r) => r.id !== null)
        .map((r) => ({ id: r.id, sender: r.sender, size: Number(r.size), purpose: r.purpose, reason: REASON_BY_STEP[Number(r.step)] })),
    };
  }

  /** Eviction records in the given order (identity follows it), in the tombstoning transaction. */
  async recordEvictions(m: EntityManager, regionId: number, rows: NewEviction[]): Promise<void> {
    if (rows.length === 0) return;
    await m.query(
      `INSERT INTO eviction (region_id, envelope_id, person, reason, size, purpose, limit_bytes)
       SELECT $1, e, p, r, s, pu, l
         FROM unnest($2::bytea[], $3::text[], $4::text[], $5::int[], $6::text[], $7::bigint[]) WITH ORDINALITY AS u(e, p, r, s, pu, l, n)
        ORDER BY n`,
      [
        regionId,
        rows.map((r) => r.envelopeId),
        rows.map((r) => r.person),
        rows.map((r) => r.reason),
        rows.map((r) => r.size),
        rows.map((r) => r.purpose),
        rows.map((r) => r.limitBytes),
      ],
    );
  }

  /** Newest first; `before` is the eviction id to continue below. */
  async listEvictions(
    regionId: number,
    opts: { person?: string | null; reason?: EvictionReason | null; since?: Date | null; until?: Date | null; before?: string | null; limit: number },
  ): Promise<EvictionRecord[]> {
    const rows: Array<Record<string, any>> = await this.ds.query(
      `SELECT eviction_id, envelope_id, person, reason, size, purpose, limit_bytes, evicted_at FROM eviction
        WHERE region_id = $1 AND ($2::text IS NULL OR person = $2) AND ($3::bigint IS NULL OR eviction_id < $3)
          AND ($5::text IS NULL OR reason = $5) AND ($6::timestamptz IS NULL OR evicted_at >= $6) AND ($7::timestamptz IS NULL OR evicted_at < $7)
        ORDER BY eviction_id DESC LIMIT $4`,
      [regionId, opts.person ?? null, opts.before ?? null, opts.limit, opts.reason ?? null, opts.since ?? null, opts.until ?? null],
    );
    return rows.map((r) => ({
      evictionId: String(r.eviction_id),
      envelopeId: r.envelope_id,
      person: r.person,
      reason: r.reason,
      size: Number(r.size),
      purpose: r.purpose,
      limitBytes: r.limit_bytes === null ? null : Number(r.limit_bytes),
      evictedAt: r.evicted_at,
    }));
  }

  // ---- sweep -------------------------------------------------------------------------------

  /**
   * One unlocked scan of the region's live envelopes grouped by sender, compared with
   * person_usage. It only finds suspects: concurrent ingest makes some rows look drifted, so
   * repairUsage re-checks each suspect under its row lock.
   */
  async sweepFindings(regionId: number): Promise<SweepFindings> {
    const rows: Array<{ person: string; drift: boolean; erase_pending: boolean; n: string }> = await this.ds.query(
      `WITH actual AS (
         SELECT ${accountSql()} AS person,
                coalesce(sum(size) FILTER (WHERE ${COUNTED}), 0) AS bytes,
                count(*) AS envelopes,
                max(${ERASE_REACH}) FILTER (WHERE ${PROVEN_ERASE}) AS erase_ts,
                min(ts_ms) FILTER (WHERE (${PROVEN_ERASE}) IS NOT TRUE) AS oldest_other,
                count(*) FILTER (WHERE ${PROVEN_ERASE}) AS erases
           FROM envelope WHERE region_id = $1 AND removed_at IS NULL
          GROUP BY 1
       ),
       usage AS (SELECT person, bytes, envelopes FROM person_usage WHERE region_id = $1)
       SELECT coalesce(a.person, u.person) AS person,
              (u.person IS NULL OR coalesce(a.bytes, 0) <> u.bytes OR coalesce(a.envelopes, 0) <> u.envelopes) AS drift,
              coalesce(a.erase_ts IS NOT NULL AND (a.oldest_other <= a.erase_ts OR a.erases > 1), false) AS erase_pending,
              (SELECT coalesce(sum(envelopes), 0) FROM actual) AS n
         FROM actual a FULL JOIN usage u ON u.person = a.person
        WHERE u.person IS NULL OR coalesce(a.bytes, 0) <> u.bytes OR coalesce(a.envelopes, 0) <> u.envelopes
           OR (a.erase_ts IS NOT NULL AND (a.oldest_other <= a.erase_ts OR a.erases > 1))
        ORDER BY 1`,
      [regionId],
    );
    let scanned: number;
    if (rows.length) scanned = Number(rows[0].n);
    else {
      const [c] = await this.ds.query('SELECT coalesce(sum(envelopes), 0) AS n FROM person_usage WHERE region_id = $1', [regionId]);
      scanned = Number(c.n);
    }
    return {
      drifted: rows.filter((r) => r.drift).map((r) => r.person),
      erasePending: rows.filter((r) => r.erase_pending).map((r) => r.person),
      scanned,
    };
  }

  /**
   * Recomputes the usage of these people exactly: the region's counter is locked first and the
   * rows then in person order (the one lock order of every writer: ingest and the eviction steps
   * of RegionCommits lock several people's rows under the counter too, so without it this would
   * deadlock with them), rows are created if missing, then set from their live envelopes, which
   * after the locks are exactly the committed ones. Returns the people actually corrected.
   */
  async repairUsage(regionId: number, people: string[]): Promise<string[]> {
    if (people.length === 0) return [];
    const sorted = [...new Set(people)].sort();
    return inTransaction(this.ds, async (m) => {
      await this.lockRegion(m, regionId);
      await m.query(
        `INSERT INTO person_usage (region_id, person) SELECT $1, p FROM unnest($2::text[]) AS p ORDER BY p
         ON CONFLICT (region_id, person) DO NOTHING`,
        [regionId, sorted],
      );
      await m.query('SELECT 1 FROM person_usage WHERE region_id = $1 AND person = ANY($2::text[]) ORDER BY person FOR UPDATE', [regionId, sorted]);
      const fixed: Array<{ person: string }> = returnedRows(
        await m.query(
          `WITH actual AS (
             SELECT ${accountSql()} AS sender, coalesce(sum(size) FILTER (WHERE ${COUNTED}), 0) AS bytes, count(*) AS envelopes
               FROM envelope WHERE region_id = $1 AND (sender = ANY($2::text[]) OR signature_v2 IS NULL) AND removed_at IS NULL
              GROUP BY 1 HAVING ${accountSql()} = ANY($2::text[])
           )
           UPDATE person_usage p SET bytes = coalesce(a.bytes, 0), envelopes = coalesce(a.envelopes, 0), updated_at = now()
             FROM unnest($2::text[]) AS x(person) LEFT JOIN actual a ON a.sender = x.person
            WHERE p.region_id = $1 AND p.person = x.person
              AND (p.bytes, p.envelopes) IS DISTINCT FROM (coalesce(a.bytes, 0), coalesce(a.envelopes, 0))
           RETURNING p.person`,
          [regionId, sorted],
        ),
      );
      return fixed.map((f) => f.person);
    }, { isolation: 'READ COMMITTED' });
  }

  /** People over their limit by the usage counters (the hub identity and unlimited tier never are). */
  async overLimit(regionId: number): Promise<string[]> {
    const rows: Array<{ person: string }> = await this.ds.query(
      `SELECT u.person FROM person_usage u
         JOIN region r ON r.region_id = u.region_id
         LEFT JOIN person_policy p ON p.region_id = u.region_id AND p.person = u.person
        WHERE u.region_id = $1 AND ${OVER_LIMIT}
        ORDER BY u.person`,
      [regionId],
    );
    return rows.map((r) => r.person);
  }

  /**
   * People who would be over their limit if the region's tier limits were these (a dry run:
   * the same rule as overLimit), largest usage first, at most `limit`; and how many in all.
   */
  async overLimitWith(regionId: number, tiers: { defaultBytes: number; trustedBytes: number }, limit: number): Promise<{ people: string[]; total: number }> {
    const rows: Array<{ person: string; total: number }> = await this.ds.query(
      `SELECT u.person, count(*) OVER ()::int AS total FROM person_usage u
         JOIN region r ON r.region_id = u.region_id
         LEFT JOIN person_policy p ON p.region_id = u.region_id AND p.person = u.person
        WHERE u.region_id = $1 AND ${overLimitSql('$2::bigint', '$3::bigint')}
        ORDER BY u.bytes DESC, u.person
        LIMIT $4`,
      [regionId, tiers.defaultBytes, tiers.trustedBytes, limit],
    );
    return { people: rows.map((r) => r.person), total: rows[0]?.total ?? 0 };
  }

  /**
   * Of these people (senders of a batch just committed), those with work for the quota worker:
   * over their limit, or with an erase on record (their older letters may have just arrived).
   * One primary-key lookup per person, so ingest enqueues jobs only for the few who need one.
   */
  async needingWork(regionId: number, people: string[]): Promise<string[]> {
    if (people.length === 0) return [];
    const rows: Array<{ person: string }> = await this.ds.query(
      `SELECT u.person FROM person_usage u
         JOIN region r ON r.region_id = u.region_id
         LEFT JOIN person_policy p ON p.region_id = u.region_id AND p.person = u.person
        WHERE u.region_id = $1 AND (u.person = ANY($2::text[]) OR u.person = '${UNPROVEN_POOL}')
          AND (${OVER_LIMIT} OR EXISTS (SELECT 1 FROM person_erase e WHERE e.region_id = u.region_id AND e.person = u.person))`,
      [regionId, people],
    );
    return rows.map((r) => r.person);
  }

  async regionIds(): Promise<number[]> {
    const rows: Array<{ region_id: number }> = await this.ds.query('SELECT region_id FROM region ORDER BY region_id');
    return rows.map((r) => r.region_id);
  }
}
