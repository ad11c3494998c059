import { timingSafeEqual, createHash } from 'node:crypto';
import type { AdminAccountService } from '../../admin/admin-account.service';
import { SESSION_TOKEN_PREFIX } from '../../admin/admin-account.service';
import { type AdminPrincipal, TOKEN_PRINCIPAL } from '../../admin/admin-principal';
import { HubError } from '../../common/errors';
import { assertKey32 } from '../../common/keys';
import type { RegionContext, RegionService } from '../../regions/region.service';
import { AUTH_SCHEME, type SyncAuthService } from '../../sync/sync-auth.service';

export const ADMIN_SCHEME = 'Bearer';

function sameSecret(a: string, b: string): boolean {
  // hashing first gives equal lengths, so the comparison time says nothing about the token
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * The credentials of one HTTP request or one WebSocket: `Kiki <one-time token>` proves
 * membership of one region (checked once, then remembered for this request or socket only),
 * `Bearer <ADMIN_TOKEN>` is the operator (a hub admin), `Bearer <admin session token>` an admin
 * account (hub admin, or region admin of the regions granted to it).
 */
export class RequestAuth {
  /** How long a socket's admin session is trusted before it is looked up again (ms). */
  static sessionRecheckMs = 10_000;

  private readonly regions = new Map<string, Promise<RegionContext>>();
  private readonly granted = new Map<string, RegionContext>();
  private principal?: Promise<AdminPrincipal>;
  private resolved?: AdminPrincipal;
  private checkedAt = 0;

  constructor(
    readonly authorization: string | undefined,
    private readonly deps: { regions: RegionService; syncAuth: SyncAuthService; adminToken?: string; admins: AdminAccountService },
  ) {}

  private get scheme(): string | undefined {
    return this.authorization?.trim().split(/\s+/)[0];
  }

  /** The admin behind this credential (any role), checked once per request or socket. */
  admin(): Promise<AdminPrincipal> {
    const session = this.resolved?.session;
    if (session && (Date.now() - this.checkedAt > RequestAuth.sessionRecheckMs || session.expiresAt.getTime() <= Date.now())) {
      // a socket lives longer than a session: look again, so a subscription started after
      // logout, expiry or a revoked grant is refused (HTTP requests never get here)
      this.principal = undefined;
      this.resolved = undefined;
      this.regions.clear();
      this.granted.clear();
    }
    this.principal ??= this.resolveAdmin().then((p) => {
      this.checkedAt = Date.now();
      return (this.resolved = p);
    });
    return this.principal;
  }

  /** The admin a guard already checked for this request (for resolvers, synchronously). */
  grantedAdmin(): AdminPrincipal {
    if (!this.resolved) throw new HubError('FORBIDDEN', 'this operation was not authorized for an admin');
    return this.resolved;
  }

  /** A hub admin: ADMIN_TOKEN or a HUB_ADMIN session. */
  async requireHubAdmin(): Promise<AdminPrincipal> {
    const p = await this.admin();
    if (!p.hub) throw new HubError('FORBIDDEN', 'this operation is for hub admins; a region admin may only use the operations of their regions');
    return p;
  }

  /**
   * An admin whose scope includes this region. Out of scope and unknown regions answer the same
   * FORBIDDEN for a region admin (so region keys cannot be probed); the region is then granted
   * to the request for @CurrentRegion.
   */
  async requireRegionAdmin(publicKey: unknown): Promise<RegionContext> {
    await this.admin();
    return this.region(publicKey);
  }

  /** The region, once the caller proved membership of it (or is an admin in scope). */
  async region(publicKey: unknown): Promise<RegionContext> {
    // a malformed key names no region, so it is INVALID_KEY for every caller (admins in or out of scope, members)
    assertKey32(publicKey, 'region', 'region');
    // an admin session is re-checked now and then (see admin()), which may drop cached grants
    if (this.resolved?.session) await this.admin();
    let pending = this.regions.get(publicKey);
    if (!pending) {
      pending = this.authorize(publicKey);
      this.regions.set(publicKey, pending);
    }
    return pending;
  }

  /** The region a guard already authorized for this request (for resolvers, synchronously). */
  grantedRegion(publicKey: string): RegionContext {
    const ctx = this.granted.get(publicKey);
    if (!ctx) throw new HubError('FORBIDDEN', `region ${publicKey} was not authorized for this operation`);
    return ctx;
  }

  /**
   * What can be checked of an admin credential without the database: the header's shape and the
   * ADMIN_TOKEN. Throws as resolveAdmin would; a session token passes here (its shape is right)
   * and is looked up by admin(), which every admin guard awaits. Returns the token.
   */
  requireAdmin(): string {
    if (!this.authorization) {
      throw new HubError('UNAUTHENTICATED', `this operation is for admins: send "Authorization: ${ADMIN_SCHEME} <admin session token>" (from adminLogin) or "${ADMIN_SCHEME} <ADMIN_TOKEN>"`);
    }
    if (this.scheme === AUTH_SCHEME) {
      throw new HubError('FORBIDDEN', `a region membership token does not allow admin operations: send "Authorization: ${ADMIN_SCHEME} <ADMIN_TOKEN>" or an admin session token`);
    }
    const [scheme, token, extra] = this.authorization.trim().split(/\s+/);
    if (scheme !== ADMIN_SCHEME || !token || extra) {
      throw new HubError('UNAUTHENTICATED', `admin credentials go as "Authorization: ${ADMIN_SCHEME} <token>"`);
    }
    if (this.deps.adminToken && sameSecret(token, this.deps.adminToken)) return token;
    if (token.startsWith(SESSION_TOKEN_PREFIX)) return token;
    if (!this.deps.adminToken) {
      throw new HubError('FORBIDDEN', 'admin operations by token are disabled on this hub (its operator has not set ADMIN_TOKEN): log in with an admin account (adminLogin)');
    }
    throw new HubError('UNAUTHENTICATED', 'the admin token is wrong');
  }

  private async resolveAdmin(): Promise<AdminPrincipal> {
    const token = this.requireAdmin();
    if (this.deps.adminToken && sameSecret(token, this.deps.adminToken)) return TOKEN_PRINCIPAL;
    const session = await this.deps.admins.principal(token);
    if (!session) throw new HubError('UNAUTHENTICATED', 'this admin session has expired or was ended: log in again (adminLogin)');
    return session;
  }

  private async authorize(publicKey: string): Promise<RegionContext> {
    if (this.scheme === ADMIN_SCHEME) {
      const p = await this.admin();
      // checked before the lookup: an unknown region looks the same as one out of scope
      if (!p.hub && !p.regionKeys.has(publicKey)) throw new HubError('FORBIDDEN', `region ${publicKey} is not among the regions granted to ${p.actor}`, 'region');
      const region = await this.deps.regions.get(publicKey);
      this.granted.set(publicKey, region);
      return region;
    }
    // a member's unknown region is refused exactly like a wrong token for a real one (no existence oracle)
    const region = await this.deps.regions.find(publicKey);
    await this.deps.syncAuth.verify(region, this.authorization);
    this.granted.set(publicKey, region!);
    return region!;
  }
}
