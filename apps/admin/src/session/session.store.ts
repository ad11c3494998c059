import { createHash, randomBytes } from 'node:crypto';
import type { HubClient, HubSession } from '../hub/hub.client';

export interface AdminSession {
  /** the hub's session token: never leaves the admin app */
  hubToken: string;
  admin: HubSession['admin'];
  /** idle expiry (ms since epoch), pushed on by refreshing the hub token while the admin is active */
  expiresAt: number;
  /** hard end (ms since epoch), set by the hub at login */
  absoluteExpiresAt: number;
  /** length of one idle period, as the hub granted it */
  idleMs: number;
  refreshing?: Promise<void>;
}

/** 32 random bytes as base64url: anything else is not one of ours. */
const SID = /^[A-Za-z0-9_-]{43}$/;
const digest = (sid: string) => createHash('sha256').update(sid).digest('base64url');

/**
 * Server-side sessions, in memory: the browser holds only a random id (in an httpOnly cookie),
 * the hub token stays here. Restarting the admin app signs everyone out, which is the safe side.
 * Idle expiry follows the hub's short-lived token: a request past half of its life refreshes it
 * (adminRefreshSession), up to the hub's absolute limit.
 */
export class SessionStore {
  private readonly sessions = new Map<string, AdminSession>();
  private readonly ended = new Set<(key: string) => void>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly hub: HubClient,
    private readonly maxSessions: number,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sweep(), 15_000);
    this.timer.unref();
  }

  /** A new session for a hub login; returns the id for the cookie. */
  create(login: HubSession): { sid: string; session: AdminSession } {
    if (this.sessions.size >= this.maxSessions) this.evictOldest();
    const sid = randomBytes(32).toString('base64url');
    const session = this.fromHub(login);
    this.sessions.set(digest(sid), session);
    return { sid, session };
  }

  /** The live session of this cookie value, refreshing its hub token when half of it is spent. */
  async get(sid: string | undefined): Promise<AdminSession | undefined> {
    if (!sid || !SID.test(sid)) return undefined;
    const key = digest(sid);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    const now = this.now();
    if (now >= session.expiresAt || now >= session.absoluteExpiresAt) {
      this.end(key);
      return undefined;
    }
    if (session.expiresAt - now < session.idleMs / 2 && session.expiresAt < session.absoluteExpiresAt) {
      session.refreshing ??= this.refresh(key, session).finally(() => (session.refreshing = undefined));
      await session.refreshing;
      return this.sessions.get(key);
    }
    return session;
  }

  /** Key of a session for listeners (WebSocket relays) that must close with it. */
  keyOf(sid: string): string {
    return digest(sid);
  }

  async destroy(sid: string): Promise<void> {
    const key = digest(sid);
    const session = this.sessions.get(key);
    if (!session) return;
    this.end(key);
    await this.hub.logout(session.hubToken).catch(() => undefined);
  }

  onEnd(listener: (key: string) => void): void {
    this.ended.add(listener);
  }

  get size(): number {
    return this.sessions.size;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async refresh(key: string, session: AdminSession): Promise<void> {
    try {
      const next = this.fromHub(await this.hub.refresh(session.hubToken));
      Object.assign(session, { ...next, refreshing: session.refreshing });
    } catch {
      // the hub refused (revoked, expired, past the absolute limit) or is down: keep the old token
      // while it lasts; a refused token ends the session on its next use or at its expiry
    }
  }

  private fromHub(login: HubSession): AdminSession {
    const expiresAt = Date.parse(login.expiresAt);
    return {
      hubToken: login.token,
      admin: login.admin,
      expiresAt,
      absoluteExpiresAt: Date.parse(login.absoluteExpiresAt),
      idleMs: Math.max(1000, expiresAt - this.now()),
    };
  }

  private end(key: string): void {
    if (!this.sessions.delete(key)) return;
    for (const listener of this.ended) listener(key);
  }

  private evictOldest(): void {
    let oldest: [string, number] | undefined;
    for (const [key, s] of this.sessions) if (!oldest || s.expiresAt < oldest[1]) oldest = [key, s.expiresAt];
    if (oldest) this.end(oldest[0]);
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, s] of this.sessions) if (now >= s.expiresAt || now >= s.absoluteExpiresAt) this.end(key);
  }
}
