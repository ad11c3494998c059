import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '@kiki/crypto';
import { AdminAccountService } from '../../apps/hub/src/admin/admin-account.service';
import { adminCommand } from '../../apps/hub/src/admin/admin.cli';
import { DataSource } from 'typeorm';
import { startTestHub, type TestHub } from '../support/hub';
import { people } from '../support/envelopes';
import { codeOf, collect, gql, memberAuth, wsClient } from './client';

const TOKEN = 'a'.repeat(40);
let hub: TestHub;
let accounts: AdminAccountService;
let mine: KeyPair;
let theirs: KeyPair;
const [alice] = people(1);
const PASSWORD = 'correct horse battery staple';

const LOGIN = `mutation($u: String!, $p: String!) { adminLogin(username: $u, password: $p) { token expiresAt absoluteExpiresAt admin { username role regions } } }`;
const ME = `{ me { username role regions } }`;

/** adminLogin from a given client address (the hub trusts X-Forwarded-For from loopback, as from the admin app). */
async function login(username: string, password = PASSWORD, ip = '203.0.113.1') {
  const res = await fetch(`${hub.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ query: LOGIN, variables: { u: username, p: password } }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}
const bearer = (token: string) => `Bearer ${token}`;

beforeAll(async () => {
  hub = await startTestHub({ ADMIN_TOKEN: TOKEN, RUN_WORKERS: 'false', ADMIN_LOGIN_MAX_FAILURES: '3', ADMIN_LOGIN_MAX_FAILURES_PER_IP: '6' });
  accounts = hub.app.get(AdminAccountService);
  mine = (await hub.createRegion('mine')).keys;
  theirs = (await hub.createRegion('theirs')).keys;
  await accounts.create('test', 'root', 'hub', [], PASSWORD);
  await accounts.create('test', 'ria', 'region', [mine.public], PASSWORD);
});
afterAll(() => hub?.close());

describe('adminLogin, me, refresh, logout', () => {
  it('issues a session whose token is the credential of the account', async () => {
    const r = await login('ria');
    expect(r.errors).toBeUndefined();
    const s = r.data.adminLogin;
    expect(s.token).toMatch(/^kiki_as_[A-Za-z0-9_-]{43}$/);
    expect(s.admin).toEqual({ username: 'ria', role: 'REGION_ADMIN', regions: [mine.public] });
    const ttl = Date.parse(s.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(800_000);
    expect(ttl).toBeLessThanOrEqual(900_000);
    expect(Date.parse(s.absoluteExpiresAt) - Date.now()).toBeGreaterThan(43_000_000);
    const me = await gql(hub.url, ME, {}, bearer(s.token));
    expect(me.data.me).toEqual({ username: 'ria', role: 'REGION_ADMIN', regions: [mine.public] });
    // the hub keeps only a hash of the token
    const stored = await hub.app.get(DataSource).query(`SELECT encode(token_hash, 'hex') AS h FROM admin_session`);
    expect(JSON.stringify(stored)).not.toContain(s.token.slice(8, 30));
  });

  it('the ADMIN_TOKEN is a hub admin without an account', async () => {
    expect((await gql(hub.url, ME, {}, bearer(TOKEN))).data.me).toEqual({ username: 'ADMIN_TOKEN', role: 'HUB_ADMIN', regions: [] });
  });

  it('refresh replaces the token (the old one stops working) and keeps the absolute expiry; logout ends it', async () => {
    const first = (await login('root')).data.adminLogin;
    const refreshed = await gql(hub.url, `mutation { adminRefreshSession { token absoluteExpiresAt admin { username role } } }`, {}, bearer(first.token));
    expect(refreshed.errors).toBeUndefined();
    const second = refreshed.data.adminRefreshSession;
    expect(second.token).not.toBe(first.token);
    expect(second.absoluteExpiresAt).toBe(first.absoluteExpiresAt);
    expect(second.admin).toEqual({ username: 'root', role: 'HUB_ADMIN' });
    expect(await gql(hub.url, ME, {}, bearer(first.token))).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    expect((await gql(hub.url, ME, {}, bearer(second.token))).data.me.username).toBe('root');
    expect((await gql(hub.url, `mutation { adminLogout }`, {}, bearer(second.token))).data.adminLogout).toBe(true);
    const after = await gql(hub.url, ME, {}, bearer(second.token));
    expect(after.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringContaining('log in again') });
  });

  it('an expired session, or one past its absolute limit, is refused and cannot be refreshed', async () => {
    const ds = hub.app.get(DataSource);
    const idle = (await login('root')).data.adminLogin.token;
    const absolute = (await login('root')).data.adminLogin.token;
    const hash = (t: string) => createHash('sha256').update(t).digest();
    await ds.query(`UPDATE admin_session SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [hash(idle)]);
    await ds.query(`UPDATE admin_session SET absolute_expires_at = now() - interval '1 second' WHERE token_hash = $1`, [hash(absolute)]);
    for (const t of [idle, absolute]) {
      expect(codeOf(await gql(hub.url, ME, {}, bearer(t)))).toBe('UNAUTHENTICATED');
      expect(codeOf(await gql(hub.url, `mutation { adminRefreshSession { token } }`, {}, bearer(t)))).toBe('UNAUTHENTICATED');
    }
  });

  it('a password reset ends the account\'s sessions', async () => {
    await accounts.create('test', 'rita', 'region', [], PASSWORD);
    const token = (await login('rita')).data.adminLogin.token;
    await accounts.resetPassword('test', 'rita', 'another long password');
    expect(codeOf(await gql(hub.url, ME, {}, bearer(token)))).toBe('UNAUTHENTICATED');
    expect((await login('rita', 'another long password')).data.adminLogin.admin.username).toBe('rita');
  });

  it('refuses malformed and wrong credentials with clear codes, changing nothing', async () => {
    expect((await login('ria', 'wrong password', '203.0.113.50')).errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: 'wrong username or password' });
    expect((await login('nobody', PASSWORD, '203.0.113.50')).errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: 'wrong username or password' });
    expect((await login('', PASSWORD, '203.0.113.51')).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect((await login('ria', 'x'.repeat(1025), '203.0.113.51')).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(codeOf(await gql(hub.url, ME, {}, 'Bearer kiki_as_forged'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(hub.url, ME, {}, 'Bearer'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(hub.url, ME, {}))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(hub.url, ME, {}, memberAuth(alice, mine)))).toBe('FORBIDDEN');
    // a membership token cannot log out or refresh anything
    expect(codeOf(await gql(hub.url, `mutation { adminLogout }`, {}, memberAuth(alice, mine)))).toBe('FORBIDDEN');
  });
});

describe('login throttling', () => {
  it('refuses an account after too many failures, even with the right password, and says when to retry', async () => {
    await accounts.create('test', 'target', 'hub', [], PASSWORD);
    for (let i = 0; i < 3; i++) expect(codeOf((await login('target', 'guess ' + i, `198.51.100.${i}`)) as any)).toBe('UNAUTHENTICATED');
    const refused = await login('target', PASSWORD, '198.51.100.9');
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.errors?.[0].extensions?.retryAfter).toBeGreaterThan(800);
    expect(refused.data).toBeNull();
    // other accounts are not affected
    expect((await login('root', PASSWORD, '198.51.100.10')).data.adminLogin.admin.username).toBe('root');
  });

  it('refuses an address after too many failures across accounts; other addresses still log in', async () => {
    const ip = '192.0.2.77';
    for (let i = 0; i < 6; i++) expect(codeOf((await login(`user${i}`, 'nope nope nope', ip)) as any)).toBe('UNAUTHENTICATED');
    expect((await login('ria', PASSWORD, ip)).errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await login('ria', PASSWORD, '192.0.2.78')).data.adminLogin.admin.username).toBe('ria');
  });

  it('counts parallel guesses too (the count is taken before the password is checked)', async () => {
    await accounts.create('test', 'parallel', 'hub', [], PASSWORD);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => login('parallel', `guess ${i}`, `198.51.100.${100 + i}`)));
    const codes = results.map((r) => r.errors?.[0].extensions?.code);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(3);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(5);
  });

  it('forgets counts whose window is over', async () => {
    const ds = hub.app.get(DataSource);
    await ds.query(`INSERT INTO admin_login_throttle (key, failures, window_started_at) VALUES ('ip:192.0.2.250', 99, now() - interval '2 hours')`);
    const { AdminRepository } = await import('@kiki/storage');
    await hub.app.get(AdminRepository).forgetOldAttempts(900);
    expect((await ds.query(`SELECT count(*)::int AS n FROM admin_login_throttle WHERE key = 'ip:192.0.2.250'`))[0].n).toBe(0);
    // an old window does not count against a new login either
    await ds.query(`INSERT INTO admin_login_throttle (key, failures, window_started_at) VALUES ('ip:192.0.2.251', 99, now() - interval '2 hours')`);
    expect((await login('root', PASSWORD, '192.0.2.251')).data.adminLogin.admin.username).toBe('root');
  });

  it('is shared by every hub process (counted in Postgres)', async () => {
    const { createHubApp } = await import('../../apps/hub/src/bootstrap');
    const other = await createHubApp(hub.config, { logger: false });
    await other.listen(0, '127.0.0.1');
    const otherUrl = `http://127.0.0.1:${(other.getHttpServer().address() as { port: number }).port}`;
    try {
      await accounts.create('test', 'shared', 'hub', [], PASSWORD);
      const at = (url: string, i: number) =>
        fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${200 + i}` }, body: JSON.stringify({ query: LOGIN, variables: { u: 'shared', p: `guess ${i}` } }) }).then((r) => r.json() as Promise<any>);
      await at(hub.url, 0);
      await at(otherUrl, 1);
      await at(hub.url, 2);
      expect((await at(otherUrl, 3)).errors[0].extensions.code).toBe('RATE_LIMITED');
    } finally {
      await other.close();
    }
  });
});

describe('scope: a region admin', () => {
  let token: string;
  beforeAll(async () => {
    token = (await login('ria', PASSWORD, '203.0.113.200')).data.adminLogin.token;
  });

  it('sees only the granted regions in `regions`, and no hub-wide data', async () => {
    const r = await gql(hub.url, `{ regions { publicKey name } }`, {}, bearer(token));
    expect(r.data.regions).toEqual([{ publicKey: mine.public, name: 'mine' }]);
    const all = await gql(hub.url, `{ regions { publicKey } }`, {}, bearer(TOKEN));
    expect(all.data.regions.map((x: any) => x.publicKey).sort()).toEqual([mine.public, theirs.public].sort());
    expect(codeOf(await gql(hub.url, `{ hubStats { regions } }`, {}, bearer(token)))).toBe('FORBIDDEN');
    expect(codeOf(await gql(hub.url, `mutation { createRegion(name: "x") { region { name } } }`, {}, bearer(token)))).toBe('FORBIDDEN');
    const imported = generateKeyPair();
    expect(codeOf(await gql(hub.url, `mutation($p: String!, $s: String!) { importRegion(name: "x", publicKey: $p, privateKey: $s) { name } }`, { p: imported.public, s: imported.private }, bearer(token)))).toBe('FORBIDDEN');
  });

  const perRegion: Array<[string, string, Record<string, unknown>]> = [
    ['region', `query($r: String!) { region(publicKey: $r) { name } }`, {}],
    ['persons', `query($r: String!) { persons(region: $r) { nodes { publicKey } } }`, {}],
    ['person', `query($r: String!, $k: String!) { person(region: $r, publicKey: $k) { publicKey } }`, { k: alice.public }],
    ['evictions', `query($r: String!) { evictions(region: $r) { nodes { envelopeId } } }`, {}],
    ['envelopes', `query($r: String!) { envelopes(region: $r) { nodes { id } } }`, {}],
    ['setQuotaPolicy', `mutation($r: String!) { setQuotaPolicy(region: $r, defaultBytes: 1) { defaultBytes } }`, {}],
    ['setPersonTier', `mutation($r: String!, $k: String!) { setPersonTier(region: $r, publicKey: $k, tier: TRUSTED) { tier } }`, { k: alice.public }],
    ['previewPersonTier', `query($r: String!, $k: String!) { previewPersonTier(region: $r, publicKey: $k, tier: TRUSTED) { envelopes } }`, { k: alice.public }],
    ['previewQuotaPolicy', `query($r: String!) { previewQuotaPolicy(region: $r, defaultBytes: 1) { envelopes } }`, {}],
    ['auditLog', `query($r: String!) { auditLog(region: $r) { nodes { id } } }`, {}],
    ['persons by pressure', `query($r: String!) { persons(region: $r, orderBy: PRESSURE_DESC, search: "a") { nodes { publicKey pressure } } }`, {}],
    ['usageSeries', `query($r: String!) { usageSeries(region: $r, from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", step: 3600) { at } }`, {}],
    ['reevaluatePerson', `mutation($r: String!, $k: String!) { reevaluatePerson(region: $r, publicKey: $k) }`, { k: alice.public }],
  ];

  it.each(perRegion)('gets FORBIDDEN from %s for another region and for an unknown one', async (_name, query, vars) => {
    for (const r of [theirs.public, generateKeyPair().public]) {
      const res = await gql(hub.url, query, { r, ...vars }, bearer(token));
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res)).toBe('FORBIDDEN');
    }
  });

  it('may read and change its own region', async () => {
    const policy = await gql(hub.url, `mutation($r: String!) { setQuotaPolicy(region: $r, defaultBytes: 7000000) { defaultBytes } }`, { r: mine.public }, bearer(token));
    expect(policy.data.setQuotaPolicy.defaultBytes).toBe(7000000);
    const region = await gql(hub.url, `query($r: String!) { region(publicKey: $r) { name quotaPolicy { defaultBytes } } }`, { r: mine.public }, bearer(token));
    expect(region.data.region).toEqual({ name: 'mine', quotaPolicy: { defaultBytes: 7000000 } });
    // the other region kept its policy
    const theirsNow = await gql(hub.url, `query($r: String!) { region(publicKey: $r) { quotaPolicy { defaultBytes } } }`, { r: theirs.public }, bearer(TOKEN));
    expect(theirsNow.data.region.quotaPolicy.defaultBytes).toBe(5000000);
  });

  it('a socket re-checks its session: after logout no new subscription starts', async () => {
    const { RequestAuth } = await import('../../apps/hub/src/graphql/auth/request-auth');
    const own = (await login('ria', PASSWORD, '203.0.113.201')).data.adminLogin.token;
    const client = wsClient(hub.url, bearer(own));
    const was = RequestAuth.sessionRecheckMs;
    RequestAuth.sessionRecheckMs = 0;
    try {
      const Q = `subscription($r: String!) { evictionHappened(region: $r) { envelopeId } }`;
      const first = collect(client, Q, { r: mine.public });
      await new Promise((r) => setTimeout(r, 300));
      expect(first.error).toBeNull();
      expect(first.events).toEqual([]);
      await gql(hub.url, `mutation { adminLogout }`, {}, bearer(own));
      const second = collect(client, Q, { r: mine.public });
      await second.until(() => second.events.length > 0 || second.done || second.error !== null);
      const err = second.events[0]?.errors?.[0] ?? (second.error as any)?.[0];
      expect(err?.extensions?.code ?? JSON.stringify(second.error)).toBe('UNAUTHENTICATED');
    } finally {
      RequestAuth.sessionRecheckMs = was;
      await client.dispose();
    }
  });

  it('gets FORBIDDEN from subscriptions of another region or an unknown one; its own region subscribes', async () => {
    const client = wsClient(hub.url, bearer(token));
    try {
      for (const q of [`subscription($r: String!) { evictionHappened(region: $r) { envelopeId } }`, `subscription($r: String!) { envelopeAdded(region: $r) { id } }`]) {
        for (const r of [theirs.public, generateKeyPair().public]) {
          const other = collect(client, q, { r });
          await other.until(() => other.events.length > 0 || other.done || other.error !== null);
          const first = other.events[0]?.errors?.[0] ?? (other.error as any)?.[0];
          expect(first?.extensions?.code ?? JSON.stringify(other.error)).toBe('FORBIDDEN');
        }
      }
      // its own region: the subscription starts (no error)
      const own = collect(client, `subscription($r: String!) { envelopeAdded(region: $r) { id } }`, { r: mine.public });
      await new Promise((r) => setTimeout(r, 300));
      expect(own.error).toBeNull();
      expect(own.events).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});

describe('npm run hub -- admin', () => {
  const run = async (args: string[], opts: Partial<Parameters<typeof adminCommand>[2]> = {}) => {
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stdout.write;
    try {
      const code = await adminCommand(hub.app, args, { json: false, passwordStdin: false, ...opts });
      return { code, out: lines.join('') };
    } finally {
      process.stdout.write = write;
    }
  };

  it('creates an account with a generated password shown once, grants, revokes, lists and resets', async () => {
    const created = await run(['create', 'cli-user'], { role: 'region', region: [mine.public] });
    expect(created.code).toBe(0);
    const password = /password: (\S+)/.exec(created.out)![1];
    expect(password).toHaveLength(20);
    expect((await login('cli-user', password, '203.0.113.210')).data.adminLogin.admin).toEqual({ username: 'cli-user', role: 'REGION_ADMIN', regions: [mine.public] });
    expect((await run(['grant', 'cli-user', theirs.public])).code).toBe(0);
    expect((await run(['list'])).out).toMatch(new RegExp(`cli-user  region  .*${theirs.public}`));
    expect((await run(['revoke', 'cli-user', theirs.public])).code).toBe(0);
    const listed = JSON.parse((await run(['list'], { json: true })).out);
    expect(listed.find((a: any) => a.username === 'cli-user').regions).toEqual([mine.public]);
    const reset = await run(['reset-password', 'cli-user']);
    const next = /password: (\S+)/.exec(reset.out)![1];
    expect(next).not.toBe(password);
    expect(codeOf((await login('cli-user', password, '203.0.113.211')) as any)).toBe('UNAUTHENTICATED');
    expect((await login('cli-user', next, '203.0.113.212')).data.adminLogin.admin.username).toBe('cli-user');
    expect(await run(['nonsense'])).toMatchObject({ code: -1 });
  });

  it('refuses bad input and changes nothing', async () => {
    await expect(run(['create', 'x y'], { role: 'hub' })).rejects.toMatchObject({ code: 'BAD_REQUEST', field: 'username' });
    await expect(run(['create', 'nobody-role'])).rejects.toMatchObject({ code: 'BAD_REQUEST', field: 'role' });
    await expect(run(['create', 'hubby'], { role: 'hub', region: [mine.public] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(run(['create', 'lost'], { role: 'region', region: [generateKeyPair().public] })).rejects.toMatchObject({ code: 'UNKNOWN_REGION' });
    await expect(run(['create', 'root'], { role: 'hub' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(accounts.create('test', 'shorty', 'hub', [], 'short')).rejects.toMatchObject({ code: 'BAD_REQUEST', field: 'password' });
    await expect(run(['grant', 'root', mine.public])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(run(['revoke', 'ria', theirs.public])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(run(['grant', 'ghost', mine.public])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const names = JSON.parse((await run(['list'], { json: true })).out).map((a: any) => a.username);
    for (const n of ['x y', 'nobody-role', 'hubby', 'lost', 'shorty', 'ghost']) expect(names).not.toContain(n);
  });

  it('the development admin is created only while no account exists', async () => {
    expect(await accounts.ensureDevAdmin()).toBeNull();
    const bare = await startTestHub({ RUN_WORKERS: 'false' });
    try {
      const svc = bare.app.get(AdminAccountService);
      const password = await svc.ensureDevAdmin();
      expect(password).toHaveLength(20);
      expect(await svc.ensureDevAdmin()).toBeNull();
      const r = await gql(bare.url, LOGIN, { u: 'admin', p: password });
      expect(r.data.adminLogin.admin).toEqual({ username: 'admin', role: 'HUB_ADMIN', regions: [] });
    } finally {
      await bare.close();
    }
  });
});

describe('auditLog', () => {
  const AUDIT = `query($r: String, $first: Int, $after: String) { auditLog(region: $r, first: $first, after: $after) {
    nodes { id actor action region target before after at } pageInfo { hasNextPage endCursor } } }`;

  it('records every admin mutation with before -> after, and scopes what each admin reads', async () => {
    const riaToken = (await login('ria', PASSWORD, '203.0.113.230')).data.adminLogin.token;
    const rootToken = (await login('root', PASSWORD, '203.0.113.231')).data.adminLogin.token;
    const person = generateKeyPair().public;
    await accounts.create('cli:someone', 'audited-user', 'region', [], PASSWORD);
    await accounts.grant('cli:someone', 'audited-user', mine.public);
    await gql(hub.url, `mutation($r: String!) { setQuotaPolicy(region: $r, defaultBytes: 7000000) { defaultBytes } }`, { r: mine.public }, bearer(TOKEN));
    await gql(hub.url, `mutation($r: String!, $k: String!) { setPersonTier(region: $r, publicKey: $k, tier: TRUSTED, overrideBytes: 1234) { tier } }`, { r: mine.public, k: person }, bearer(riaToken));
    await gql(hub.url, `mutation($r: String!) { setQuotaPolicy(region: $r, trustedBytes: 60000000) { trustedBytes } }`, { r: theirs.public }, bearer(rootToken));
    await gql(hub.url, `mutation($r: String!, $k: String!) { reevaluatePerson(region: $r, publicKey: $k) }`, { r: mine.public, k: person }, bearer(TOKEN));
    const created = await gql(hub.url, `mutation { createRegion(name: "audited") { region { publicKey } } }`, {}, bearer(TOKEN));

    const mineLog = (await gql(hub.url, AUDIT, { r: mine.public }, bearer(riaToken))).data.auditLog.nodes;
    expect(mineLog[0]).toMatchObject({ actor: 'ADMIN_TOKEN', action: 'reevaluatePerson', region: mine.public, target: person });
    expect(mineLog[1]).toMatchObject({ actor: 'ria', action: 'setPersonTier', region: mine.public, target: person });
    expect(JSON.parse(mineLog[1].before)).toEqual({ tier: 'default', overrideBytes: null, limit: 7000000 });
    expect(JSON.parse(mineLog[1].after)).toEqual({ tier: 'trusted', overrideBytes: 1234, limit: 1234 });
    expect(mineLog.map((e: any) => e.region)).toEqual(mineLog.map(() => mine.public));

    // a region admin without `region` reads the entries of their regions only; another region is FORBIDDEN
    const all = (await gql(hub.url, AUDIT, {}, bearer(riaToken))).data.auditLog.nodes;
    expect(new Set(all.map((e: any) => e.region))).toEqual(new Set([mine.public]));
    expect(codeOf(await gql(hub.url, AUDIT, { r: theirs.public }, bearer(riaToken)))).toBe('FORBIDDEN');
    expect(codeOf(await gql(hub.url, AUDIT, { r: generateKeyPair().public }, bearer(riaToken)))).toBe('FORBIDDEN');
    expect(codeOf(await gql(hub.url, AUDIT, {}, memberAuth(alice, mine)))).toBe('FORBIDDEN');

    // a hub admin reads everything, hub-wide CLI actions included
    const hubLog = (await gql(hub.url, AUDIT, { first: 100 }, bearer(rootToken))).data.auditLog.nodes;
    expect(hubLog[0]).toMatchObject({ actor: 'ADMIN_TOKEN', action: 'createRegion', region: created.data.createRegion.region.publicKey });
    const policy = hubLog.find((e: any) => e.action === 'setQuotaPolicy' && e.region === theirs.public);
    expect(JSON.parse(policy.before)).toMatchObject({ trustedBytes: 50000000 });
    expect(JSON.parse(policy.after)).toMatchObject({ trustedBytes: 60000000 });
    expect(hubLog.some((e: any) => e.action === 'admin.create' && e.target === 'ria' && e.actor === 'test')).toBe(true);
    const grant = hubLog.find((e: any) => e.action === 'admin.grant' && e.target === 'audited-user');
    expect(grant).toMatchObject({ actor: 'cli:someone', region: mine.public });
    expect(JSON.parse(grant.after)).toEqual({ regions: [mine.public] });
  });

  it('pages newest first and refuses bad paging input', async () => {
    const p1 = (await gql(hub.url, AUDIT, { first: 2 }, bearer(TOKEN))).data.auditLog;
    const p2 = (await gql(hub.url, AUDIT, { first: 2, after: p1.pageInfo.endCursor }, bearer(TOKEN))).data.auditLog;
    expect(p1.pageInfo.hasNextPage).toBe(true);
    expect(Number(p2.nodes[0].id)).toBeLessThan(Number(p1.nodes[1].id));
    expect((await gql(hub.url, AUDIT, { first: 101 }, bearer(TOKEN))).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await gql(hub.url, AUDIT, { after: 'bogus' }, bearer(TOKEN))).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
