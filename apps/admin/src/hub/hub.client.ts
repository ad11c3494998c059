/** What the hub answers to adminLogin / adminRefreshSession (see schema.gql). */
export interface HubSession {
  token: string;
  expiresAt: string;
  absoluteExpiresAt: string;
  admin: { username: string; role: 'HUB_ADMIN' | 'REGION_ADMIN'; regions: string[] };
}

/** A GraphQL error from the hub, with its `extensions.code` (UNAUTHENTICATED, RATE_LIMITED, ...). */
export class HubCallError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

const SESSION_FIELDS = 'token expiresAt absoluteExpiresAt admin { username role regions }';

/**
 * The admin app's own calls to the hub's GraphQL API: the session operations. Everything else
 * the browser asks goes through the /graphql pass-through unchanged.
 */
export class HubClient {
  constructor(private readonly hubUrl: string) {}

  login(username: string, password: string, clientIp: string): Promise<HubSession> {
    return this.call<{ adminLogin: HubSession }>(
      `mutation AdminLogin($username: String!, $password: String!) { adminLogin(username: $username, password: $password) { ${SESSION_FIELDS} } }`,
      { username, password },
      undefined,
      clientIp,
    ).then((d) => d.adminLogin);
  }

  refresh(token: string): Promise<HubSession> {
    return this.call<{ adminRefreshSession: HubSession }>(`mutation { adminRefreshSession { ${SESSION_FIELDS} } }`, {}, token).then(
      (d) => d.adminRefreshSession,
    );
  }

  async logout(token: string): Promise<void> {
    await this.call(`mutation { adminLogout }`, {}, token);
  }

  private async call<T>(query: string, variables: Record<string, unknown>, token?: string, clientIp?: string): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    // the hub throttles logins per IP: tell it whose login this is
    if (clientIp) headers['x-forwarded-for'] = clientIp;
    let res: Response;
    try {
      res = await fetch(`${this.hubUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(10_000) });
    } catch {
      throw new HubCallError('the hub is unreachable', 'UNAVAILABLE');
    }
    const body = (await res.json().catch(() => null)) as { data?: T; errors?: { message: string; extensions?: { code?: string; retryAfter?: number } }[] } | null;
    const err = body?.errors?.[0];
    if (err || !body?.data) {
      const retryAfter = err?.extensions?.retryAfter ?? (Number(res.headers.get('retry-after')) || undefined);
      throw new HubCallError(err?.message ?? `the hub answered HTTP ${res.status}`, err?.extensions?.code ?? (res.status >= 500 ? 'UNAVAILABLE' : 'BAD_REQUEST'), retryAfter);
    }
    return body.data;
  }
}
