/**
 * The quota accounting rule and the limit rule, each defined ONCE (docs/quotas.md "What counts").
 * Ingest (the usage it adds), removals (the usage they give back), the sweep, the eviction plan,
 * the quota service and the admin's pressure pages all use these; the SQL forms are built from
 * the same constants and libs/storage/test/accounting.spec.ts checks them against the functions
 * on real rows.
 */
import type { QuotaTier } from './entities';

/**
 * A public action is free only while it is small: its kiki size (base64 length of the sealed
 * letter) is at most this. Ingest bounds action contents (a key, an id, a short name or profile),
 * so every well-formed action addressed the usual way fits; anything larger counts in full.
 */
export const FREE_ACTION_MAX_SIZE = 4096;

/** Whether an envelope's bytes count toward its sender's usage. `purpose` is null when the hub cannot open it. */
export function countsTowardQuota(purpose: string | null, size: number): boolean {
  return !(purpose !== null && purpose.startsWith('action-') && size <= FREE_ACTION_MAX_SIZE);
}

/** countsTowardQuota over the `purpose` and `size` columns of an envelope row (`alias.` prefixed). */
export function countedSql(alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return `(${p}purpose IS NULL OR ${p}purpose NOT LIKE 'action-%' OR ${p}size > ${FREE_ACTION_MAX_SIZE})`;
}

/**
 * The usage account of unproven envelopes (no verified signature_v2) in a region whose sender
 * policy is 'v2-for-quota': they count toward this shared, bounded pool instead of their claimed
 * sender, so they can neither fill nor evict a person's data. Not a key: base58 has no '~'.
 */
export const UNPROVEN_POOL = '~unproven';

/** Which usage row an envelope counts in: its sender's, or the region's unproven pool. */
export function usageAccount(sender: string, proven: boolean, pooled: boolean): string {
  return pooled && !proven ? UNPROVEN_POOL : sender;
}

/** Whether region $1 pools unproven envelopes (its sender policy is v2-for-quota), as SQL. */
export const POOLED_SQL = `coalesce((SELECT sender_policy = 'v2-for-quota' FROM region WHERE region_id = $1), false)`;

/** usageAccount over an envelope row's `sender` and `signature_v2` columns (`alias.` prefixed), as SQL. */
export function accountSql(alias = '', pooled = POOLED_SQL): string {
  const p = alias ? `${alias}.` : '';
  return `(CASE WHEN ${p}signature_v2 IS NULL AND ${pooled} THEN '${UNPROVEN_POOL}' ELSE ${p}sender END)`;
}

/** What decides one person's limit: the region's tiers and the person's own row, if any. */
export interface LimitInputs {
  defaultBytes: number;
  trustedBytes: number;
  hubPublicKey: string;
  tier: QuotaTier;
  overrideBytes: number | null;
  /** the region's unproven pool (the limit of UNPROVEN_POOL) */
  unprovenPoolBytes: number;
}

/**
 * A person's limit in bytes, or null for no limit: the hub's own identity and the unlimited tier
 * have none; otherwise the person's override, else their tier's region-wide limit.
 */
export function resolveLimit(person: string, p: LimitInputs): number | null {
  if (person === UNPROVEN_POOL) return p.unprovenPoolBytes;
  if (person === p.hubPublicKey || p.tier === 'unlimited') return null;
  if (p.overrideBytes !== null) return p.overrideBytes;
  return p.tier === 'trusted' ? p.trustedBytes : p.defaultBytes;
}

/** The SQL expressions limitSql reads each input of resolveLimit from. */
export interface LimitColumns {
  person: string;
  tier: string;
  overrideBytes: string;
  defaultBytes: string;
  trustedBytes: string;
  hubPublicKey: string;
  unprovenPoolBytes: string;
}

/** Over person_usage u, region r and person_policy p (LEFT JOINed: tier and override may be NULL). */
const USAGE_LIMIT_COLUMNS: LimitColumns = {
  person: 'u.person',
  tier: 'p.tier',
  overrideBytes: 'p.override_bytes',
  defaultBytes: 'r.default_quota_bytes',
  trustedBytes: 'r.trusted_quota_bytes',
  hubPublicKey: 'r.hub_public_key',
  unprovenPoolBytes: 'r.unproven_pool_bytes',
};

/**
 * resolveLimit in SQL: the limit in bytes, NULL for no limit. A NULL tier (no person_policy
 * row) is the default tier. Columns default to USAGE_LIMIT_COLUMNS; a query over other tables
 * or a dry run (other tier limits) names its own.
 */
export function limitSql(columns: Partial<LimitColumns> = {}): string {
  const c = { ...USAGE_LIMIT_COLUMNS, ...columns };
  return `(CASE WHEN ${c.person} = '${UNPROVEN_POOL}' THEN ${c.unprovenPoolBytes}
     WHEN ${c.person} = ${c.hubPublicKey} OR coalesce(${c.tier}, 'default') = 'unlimited' THEN NULL
     ELSE coalesce(${c.overrideBytes}, CASE WHEN ${c.tier} = 'trusted' THEN ${c.trustedBytes} ELSE ${c.defaultBytes} END) END)`;
}

/**
 * resolveLimit(...) < u.bytes in SQL, over person_usage u, region r and person_policy p (LEFT
 * JOINed); false (not NULL) for no limit. The tier limits may be replaced by other SQL
 * expressions (a dry run of a policy change).
 */
export function overLimitSql(defaultBytes = USAGE_LIMIT_COLUMNS.defaultBytes, trustedBytes = USAGE_LIMIT_COLUMNS.trustedBytes): string {
  return `coalesce(u.bytes > ${limitSql({ defaultBytes, trustedBytes })}, false)`;
}

/** overLimitSql with the region's own tier limits. */
export const OVER_LIMIT_SQL = overLimitSql();

/** Usage ÷ limit in SQL (`limit` from limitSql): NULL without a limit; a limit of 0 counts as 1 byte, so it stays finite. */
export function pressureSql(bytes: string, limit: string): string {
  return `(CASE WHEN ${limit} IS NULL THEN NULL ELSE ${bytes}::float8 / greatest(${limit}, 1) END)`;
}

/** pressureSql as a function: a person's pressure as the admin's persons page shows and orders it. */
export function usagePressure(bytes: number, limit: number | null): number | null {
  return limit === null ? null : bytes / Math.max(limit, 1);
}
