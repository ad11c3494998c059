import type { DataSource, EntityManager } from 'typeorm';
import type { AdminRole } from '../entities';
import { returnedRows } from '../transaction';

export interface AdminAccountRow {
  adminId: number;
  username: string;
  role: AdminRole;
  passwordHash: string;
  /** region public keys granted (region admins; hub admins may have none) */
  regions: string[];
  createdAt: Date;
}

/** A live session with its account, as a request's credential resolves to. */
export interface AdminSessionRow {
  adminId: number;
  username: string;
  role: AdminRole;
  regions: Array<{ regionId: number; publicKey: string }>;
  expiresAt: Date;
  absoluteExpiresAt: Date;
}

export interface AuditRecord {
  actor: string;
  action: string;
  regionId?: number | null;
  region?: string | null;
  target?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditRow {
  auditId: string;
  at: Date;
  actor: string;
  action: string;
  region: string | null;
  target: string | null;
  /** JSON text, as stored */
  before: string | null;
  after: string | null;
}

export interface ThrottleState {
  key: string;
  failures: number;
  /** seconds until the window ends */
  retryAfter: number;
}

const ACCOUNT_COLUMNS = `a.admin_id, a.username, a.role, a.password_hash, a.created_at,
  coalesce((SELECT array_agg(r.public_key ORDER BY r.public_key) FROM admin_region g JOIN region r ON r.region_id = g.region_id WHERE g.admin_id = a.admin_id), '{}') AS regions`;

function toAccount(r: Record<string, any>): AdminAccountRow {
  return { adminId: r.admin_id, username: r.username, role: r.role, passwordHash: r.password_hash, regions: r.regions ?? [], createdAt: r.created_at };
}

/** Admin accounts, sessions, login throttling and the audit log (all hub-wide). */
export class AdminRepository {
  constructor(private readonly ds: DataSource) {}

  // ---- accounts ----------------------------------------------------------------------------

  async count(): Promise<number> {
    const [row] = await this.ds.query('SELECT count(*)::int AS n FROM admin_account');
    return row.n;
  }

  /** Null when the username is taken. */
  async create(username: string, role: AdminRole, passwordHash: string, regionIds: number[], m: EntityManager | DataSource = this.ds): Promise<number | null> {
    const [row] = await m.query(
      `INSERT INTO admin_account (username, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT (username) DO NOTHING RETURNING admin_id`,
      [username, role, passwordHash],
    );
    if (!row) return null;
    if (regionIds.length) await this.grant(row.admin_id, regionIds, m);
    return row.admin_id;
  }

  async byUsername(username: string, m: EntityManager | DataSource = this.ds): Promise<AdminAccountRow | null> {
    const [row] = await m.query(`SELECT ${ACCOUNT_COLUMNS} FROM admin_account a WHERE a.username = $1`, [username]);
    return row ? toAccount(row) : null;
  }

  async list(): Promise<AdminAccountRow[]> {
    return (await this.ds.query(`SELECT ${ACCOUNT_COLUMNS} FROM admin_account a ORDER BY a.username`)).map(toAccount);
  }

  async grant(adminId: number, regionIds: number[], m: EntityManager | DataSource = this.ds): Promise<void> {
    await m.query(
      `INSERT INTO admin_region (admin_id, region_id) SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING`,
      [adminId, regionIds],
    );
  }

  /** True when the grant existed. */
  async revoke(adminId: number, regionId: number, m: EntityManager | DataSource = this.ds): Promise<boolean> {
    const rows = await m.query(`DELETE FROM admin_region WHERE admin_id = $1 AND region_id = $2 RETURNING region_id`, [adminId, regionId]);
    return returnedRows(rows).length > 0;
  }

  /** A new password also ends every session of the account. */
  async setPassword(adminId: number, passwordHash: string, m: EntityManager | DataSource = this.ds): Promise<void> {
    await m.query(`UPDATE admin_account SET password_hash = $2, updated_at = now() WHERE admin_id = $1`, [adminId, passwordHash]);
    await m.query(`UPDATE admin_session SET revoked_at = now() WHERE admin_id = $1 AND revoked_at IS NULL`, [adminId]);
  }

  // ---- sessions ----------------------------------------------------------------------------

  async createSession(adminId: number, tokenHash: Buffer, expiresAt: Date, absoluteExpiresAt: Date, m: EntityManager | DataSource = this.ds): Promise<void> {
    // expired sessions of the account go at each login: the table stays as small as the live sessions
    await m.query(`DELETE FROM admin_session WHERE admin_id = $1 AND (absolute_expires_at < now() OR expires_at < now() - interval '1 day')`, [adminId]);
    await m.query(
      `INSERT INTO admin_session (token_hash, admin_id, expires_at, absolute_expires_at) VALUES ($1, $2, $3, $4)`,
      [tokenHash, adminId, expiresAt, absoluteExpiresAt],
    );
  }

  /** The live (not expired, not revoked) session of this token hash, with its account and grants. */
  async liveSession(tokenHash: Buffer): Promise<AdminSessionRow | null> {
    const [row] = await this.ds.query(
      `SELECT a.admin_id, a.username, a.role, s.expires_at, s.absolute_expires_at,
              coalesce((SELECT json_agg(json_build_object('regionId', r.region_id, 'publicKey', r.public_key) ORDER BY r.public_key)
                          FROM admin_region g JOIN region r ON r.region_id = g.region_id WHERE g.admin_id = a.admin_id), '[]') AS regions
         FROM admin_session s JOIN admin_account a ON a.admin_id = s.admin_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND s.absolute_expires_at > now()`,
      [tokenHash],
    );
    if (!row) return null;
    return { adminId: row.admin_id, username: row.username, role: row.role, regions: row.regions, expiresAt: row.expires_at, absoluteExpiresAt: row.absolute_expires_at };
  }

  /** Revokes a live session; returns it (its absolute expiry carries over to a refresh), null if it was not live. */
  async revokeSession(tokenHash: Buffer, m: EntityManager | DataSource = this.ds): Promise<{ adminId: number; absoluteExpiresAt: Date } | null> {
    const rows = await m.query(
      `UPDATE admin_session SET revoked_at = now()
        WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() AND absolute_expires_at > now()
        RETURNING admin_id, absolute_expires_at`,
      [tokenHash],
    );
    const [row] = returnedRows<Record<string, any>>(rows);
    return row ? { adminId: row.admin_id, absoluteExpiresAt: row.absolute_expires_at } : null;
  }

  // ---- login throttling --------------------------------------------------------------------

  /**
   * Counts one login attempt against each key, atomically (every hub process shares the rows):
   * a window older than `windowSeconds` starts again. Returns the keys now over their limit.
   * Counting before the password is checked means parallel guesses cannot slip past the limit.
   */
  async countAttempt(keys: Array<{ key: string; limit: number }>, windowSeconds: number): Promise<ThrottleState[]> {
    const rows: Array<{ key: string; failures: number; retry_after: number }> = await this.ds.query(
      `INSERT INTO admin_login_throttle AS t (key, failures, window_started_at)
       SELECT k, 1, now() FROM unnest($1::text[]) AS k ORDER BY k
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => $2) THEN now() ELSE t.window_started_at END
       RETURNING key, failures, ceil(extract(epoch FROM (window_started_at + make_interval(secs => $2) - now())))::int AS retry_after`,
      [keys.map((k) => k.key), windowSeconds],
    );
    const limits = new Map(keys.map((k) => [k.key, k.limit]));
    return rows
      .filter((r) => r.failures > limits.get(r.key)!)
      .map((r) => ({ key: r.key, failures: r.failures, retryAfter: Math.max(1, r.retry_after) }));
  }

  /** Forgets counts whose window is over (logins with ever new usernames or addresses would otherwise pile up rows). */
  async forgetOldAttempts(windowSeconds: number): Promise<void> {
    await this.ds.query(`DELETE FROM admin_login_throttle WHERE window_started_at < now() - make_interval(secs => $1)`, [windowSeconds]);
  }

  /** A successful login: the account starts afresh, and the attempt no longer counts against the address. */
  async forgiveAttempt(accountKey: string, ipKey: string): Promise<void> {
    await this.ds.query(`DELETE FROM admin_login_throttle WHERE key = $1`, [accountKey]);
    await this.ds.query(`UPDATE admin_login_throttle SET failures = greatest(failures - 1, 0) WHERE key = $1`, [ipKey]);
  }

  // ---- audit -------------------------------------------------------------------------------

  async audit(r: AuditRecord, m: EntityManager | DataSource = this.ds): Promise<void> {
    await m.query(
      `INSERT INTO audit_log (actor, action, region_id, region, target, before, after) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
      [r.actor, r.action, r.regionId ?? null, r.region ?? null, r.target ?? null, json(r.before), json(r.after)],
    );
  }

  /**
   * Newest first, keyset-paged below `before`. `regionIds`: null = every entry (hub admins);
   * otherwise only entries of those regions.
   */
  async auditPage(opts: { regionIds: number[] | null; before: string | null; limit: number }): Promise<AuditRow[]> {
    const rows: Array<Record<string, any>> = await this.ds.query(
      `SELECT audit_id, at, actor, action, region, target, before::text AS before, after::text AS after
         FROM audit_log
        WHERE ($1::int[] IS NULL OR region_id = ANY($1::int[])) AND ($2::bigint IS NULL OR audit_id < $2)
        ORDER BY audit_id DESC LIMIT $3`,
      [opts.regionIds, opts.before, opts.limit],
    );
    return rows.map((r) => ({ auditId: String(r.audit_id), at: r.at, actor: r.actor, action: r.action, region: r.region, target: r.target, before: r.before, after: r.after }));
  }
}

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}
