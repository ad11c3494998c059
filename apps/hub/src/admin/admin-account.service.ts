import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ADMIN_ROLES, AdminRepository, type AdminAccountRow, type AdminRole, inTransaction, RegionRepository } from '@kiki/storage';
import { DataSource, type EntityManager } from 'typeorm';
import { HubError, RateLimitedError } from '../common/errors';
import { HubConfig } from '../config/hub-config';
import type { AdminPrincipal } from './admin-principal';
import { AuditService } from './audit.service';
import { checkNewPassword, dummyHash, generatePassword, hashPassword, verifyPassword } from './password';

/** Prefix of admin session tokens: recognisable in logs and secret scanners, never the ADMIN_TOKEN. */
export const SESSION_TOKEN_PREFIX = 'kiki_as_';
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,62}$/;

export interface IssuedSession {
  token: string;
  expiresAt: Date;
  absoluteExpiresAt: Date;
  account: { username: string; role: AdminRole; regions: string[] };
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function checkUsername(username: string): void {
  if (typeof username !== 'string' || !USERNAME.test(username)) {
    throw new HubError('BAD_REQUEST', 'a username is 2 to 63 letters, digits, ".", "_", "@" or "-", starting with a letter or digit', 'username');
  }
}

/**
 * Admin accounts (created by `npm run hub -- admin ...`) and their sessions: login with
 * throttling per account and per client address (counted in Postgres, so every hub process
 * shares the counts), short-lived opaque tokens stored hashed, refresh up to an absolute limit.
 */
@Injectable()
export class AdminAccountService {
  private readonly log = new Logger(AdminAccountService.name);
  private lastCleanup = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly admins: AdminRepository,
    private readonly regions: RegionRepository,
    private readonly audit: AuditService,
    @Inject(HubConfig) private readonly config: HubConfig,
  ) {}

  // ---- accounts (CLI) ----------------------------------------------------------------------

  /** Creates an account; returns the password (generated when none is given: show it once). */
  async create(actor: string, username: string, role: AdminRole, regionKeys: string[], password?: string): Promise<{ password: string; generated: boolean }> {
    checkUsername(username);
    if (!ADMIN_ROLES.includes(role)) throw new HubError('BAD_REQUEST', `role must be one of ${ADMIN_ROLES.join(', ')}`, 'role');
    if (role === 'hub' && regionKeys.length) throw new HubError('BAD_REQUEST', 'a hub admin sees every region: grant regions to region admins only', 'region');
    const generated = password === undefined;
    const pw = password ?? generatePassword();
    const bad = checkNewPassword(pw);
    if (bad) throw new HubError('BAD_REQUEST', bad, 'password');
    const regionIds = await this.regionIds(regionKeys);
    const hash = await hashPassword(pw);
    await this.write(async (m) => {
      const id = await this.admins.create(username, role, hash, regionIds, m);
      if (id === null) throw new HubError('CONFLICT', `there is already an admin named ${username}`, 'username');
      await this.audit.record({ actor, action: 'admin.create', target: username, after: { username, role, regions: [...regionKeys].sort() } }, m);
    });
    return { password: pw, generated };
  }

  async grant(actor: string, username: string, regionKey: string): Promise<void> {
    const account = await this.account(username);
    if (account.role === 'hub') throw new HubError('BAD_REQUEST', `${username} is a hub admin and already sees every region`, 'username');
    const [regionId] = await this.regionIds([regionKey]);
    await this.write(async (m) => {
      await this.admins.grant(account.adminId, [regionId], m);
      await this.audit.record({ actor, action: 'admin.grant', regionId, region: regionKey, target: username, before: { regions: account.regions }, after: { regions: [...new Set([...account.regions, regionKey])].sort() } }, m);
    });
  }

  async revoke(actor: string, username: string, regionKey: string): Promise<void> {
    const account = await this.account(username);
    const [regionId] = await this.regionIds([regionKey]);
    await this.write(async (m) => {
      if (!(await this.admins.revoke(account.adminId, regionId, m))) throw new HubError('NOT_FOUND', `${username} was not granted region ${regionKey}`, 'region');
      await this.audit.record({ actor, action: 'admin.revoke', regionId, region: regionKey, target: username, before: { regions: account.regions }, after: { regions: account.regions.filter((r) => r !== regionKey) } }, m);
    });
  }

  /** An account change and its audit record commit together. */
  private write(work: (m: EntityManager) => Promise<void>): Promise<void> {
    return inTransaction(this.ds, work, { isolation: 'READ COMMITTED' });
  }

  list(): Promise<AdminAccountRow[]> {
    return this.admins.list();
  }

  /** Sets a new password (generated when none is given) and ends every session of the account. */
  async resetPassword(actor: string, username: string, password?: string): Promise<{ password: string; generated: boolean }> {
    const account = await this.account(username);
    const generated = password === undefined;
    const pw = password ?? generatePassword();
    const bad = checkNewPassword(pw);
    if (bad) throw new HubError('BAD_REQUEST', bad, 'password');
    const hash = await hashPassword(pw);
    await this.write(async (m) => {
      await this.admins.setPassword(account.adminId, hash, m);
      await this.audit.record({ actor, action: 'admin.reset-password', target: username }, m);
    });
    return { password: pw, generated };
  }

  /**
   * Development convenience: with no admin account at all, creates `admin` (hub admin) and
   * returns its password for one log line. Null when any account exists (or another process won).
   */
  async ensureDevAdmin(): Promise<string | null> {
    if ((await this.admins.count()) > 0) return null;
    try {
      return (await this.create('hub-start', 'admin', 'hub', [])).password;
    } catch (err) {
      if (err instanceof HubError && err.code === 'CONFLICT') return null;
      throw err;
    }
  }

  // ---- sessions (GraphQL) ------------------------------------------------------------------

  async login(username: unknown, password: unknown, clientIp: string): Promise<IssuedSession> {
    if (typeof username !== 'string' || typeof password !== 'string' || username.length > 200 || password.length > 1024) {
      throw new HubError('BAD_REQUEST', 'username and password are required text (username up to 200 characters, password up to 1024)', 'username');
    }
    if (Date.now() - this.lastCleanup > 60_000) {
      this.lastCleanup = Date.now();
      await this.admins.forgetOldAttempts(this.config.ADMIN_LOGIN_WINDOW_SECONDS);
    }
    const accountKey = `account:${username.toLowerCase()}`;
    const ipKey = `ip:${clientIp}`;
    // counted before the (slow) password check, so parallel guesses cannot pass the limit
    const over = await this.admins.countAttempt(
      [
        { key: accountKey, limit: this.config.ADMIN_LOGIN_MAX_FAILURES },
        { key: ipKey, limit: this.config.ADMIN_LOGIN_MAX_FAILURES_PER_IP },
      ],
      this.config.ADMIN_LOGIN_WINDOW_SECONDS,
    );
    if (over.length) {
      const retryAfter = Math.max(...over.map((o) => o.retryAfter));
      this.log.warn({ msg: 'admin login throttled', username, clientIp, keys: over.map((o) => o.key) });
      throw new RateLimitedError('admin-login', retryAfter, `too many failed logins; try again in ${retryAfter} s`);
    }
    const account = await this.admins.byUsername(username);
    const ok = await verifyPassword(password, account?.passwordHash ?? (await dummyHash()));
    if (!account || !ok) {
      this.log.warn({ msg: 'admin login refused', username, clientIp });
      throw new HubError('UNAUTHENTICATED', 'wrong username or password');
    }
    await this.admins.forgiveAttempt(accountKey, ipKey);
    const now = Date.now();
    const session = await this.issue(account.adminId, new Date(now + this.config.ADMIN_SESSION_MAX_SECONDS * 1000));
    this.log.log({ msg: 'admin logged in', username: account.username, clientIp });
    return { ...session, account: { username: account.username, role: account.role, regions: account.regions } };
  }

  /** A new token for a live session (the old one is revoked); the absolute expiry does not move. */
  async refresh(principal: AdminPrincipal): Promise<IssuedSession> {
    if (!principal.session) throw new HubError('BAD_REQUEST', 'only an admin session can be refreshed (ADMIN_TOKEN does not expire)');
    const old = await this.admins.revokeSession(principal.session.tokenHash);
    if (!old) throw new HubError('UNAUTHENTICATED', 'this admin session has expired or was ended: log in again');
    const session = await this.issue(old.adminId, old.absoluteExpiresAt);
    const account = await this.account(principal.session.username);
    return { ...session, account: { username: account.username, role: account.role, regions: account.regions } };
  }

  async logout(principal: AdminPrincipal): Promise<boolean> {
    if (!principal.session) throw new HubError('BAD_REQUEST', 'ADMIN_TOKEN is not a session: unset it in the hub\'s environment instead');
    return (await this.admins.revokeSession(principal.session.tokenHash)) !== null;
  }

  /** The principal of a session token, or null when it is not a live session. */
  async principal(token: string): Promise<AdminPrincipal | null> {
    if (!token.startsWith(SESSION_TOKEN_PREFIX) || token.length > 100) return null;
    const hash = tokenHash(token);
    const row = await this.admins.liveSession(hash);
    if (!row) return null;
    return {
      actor: row.username,
      hub: row.role === 'hub',
      regionIds: new Set(row.regions.map((r) => r.regionId)),
      regionKeys: new Set(row.regions.map((r) => r.publicKey)),
      session: { tokenHash: hash, username: row.username, expiresAt: row.expiresAt, absoluteExpiresAt: row.absoluteExpiresAt },
    };
  }

  private async issue(adminId: number, absoluteExpiresAt: Date): Promise<Omit<IssuedSession, 'account'>> {
    const token = SESSION_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = new Date(Math.min(Date.now() + this.config.ADMIN_SESSION_TTL_SECONDS * 1000, absoluteExpiresAt.getTime()));
    if (expiresAt.getTime() <= Date.now()) throw new HubError('UNAUTHENTICATED', 'this admin session reached its absolute limit: log in again');
    await this.admins.createSession(adminId, tokenHash(token), expiresAt, absoluteExpiresAt);
    return { token, expiresAt, absoluteExpiresAt };
  }

  private async account(username: string): Promise<AdminAccountRow> {
    checkUsername(username);
    const account = await this.admins.byUsername(username);
    if (!account) throw new HubError('NOT_FOUND', `no admin named ${username}`, 'username');
    return account;
  }

  private async regionIds(keys: string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const key of keys) {
      const row = typeof key === 'string' ? await this.regions.findByPublicKey(key) : null;
      if (!row) throw new HubError('UNKNOWN_REGION', `this hub carries no region with public key ${key}`, 'region');
      ids.push(row.regionId);
    }
    return ids;
  }
}
