import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AdminAccountService } from '../../hub/src/admin/admin-account.service';
import { startStack, type Stack } from './support/stack';

const PASSWORD = 'a long enough test password';
let stack: Stack;
let base: string;

beforeAll(async () => {
  stack = await startStack({ ADMIN_LOGIN_MAX_FAILURES: '3', ADMIN_LOGIN_MAX_FAILURES_PER_IP: '50' });
  base = stack.adminUrl;
  const accounts = stack.hub.app.get(AdminAccountService);
  await accounts.create('test', 'root', 'hub', [], PASSWORD);
  await accounts.create('test', 'locked', 'hub', [], PASSWORD);
});
afterAll(() => stack?.close());

const PAGES = ['/', '/regions/4NfD9kWESGycUdbhbrFygNDjFun6NPk6utpkviyE1Ai6', '/evictions', '/storage', '/audit', '/queue-health', '/anything'];

async function signIn(username = 'root', password = PASSWORD): Promise<{ status: number; cookie?: string; body: any }> {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, cookie: res.headers.get('set-cookie')?.split(';')[0], body: await res.json() };
}

describe('without a session (plain HTTP)', () => {
  it('every page redirects to the login page, and the API, /graphql and /queues answer 401', async () => {
    for (const path of PAGES) {
      const res = await fetch(base + path, { redirect: 'manual', headers: { accept: 'text/html' } });
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location'), path).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    for (const path of ['/queues', '/queues/api/queues', '/api/me', '/api/export/people.csv?region=4NfD9kWESGycUdbhbrFygNDjFun6NPk6utpkviyE1Ai6']) {
      const res = await fetch(base + path, { redirect: 'manual' });
      expect(res.status, path).toBe(401);
    }
    const gql = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: '{"query":"{ regions { name } }"}' });
    expect(gql.status).toBe(401);
    expect(await gql.text()).not.toContain('regions');
  });

  it('only the login page, its assets and /health answer', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const login = await fetch(`${base}/login`);
    expect(login.status).toBe(200);
    const html = await login.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(base + script)).status).toBe(200);
    // no inline script anywhere in the page, and a CSP that would refuse one
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(login.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('the graphql-ws socket is refused without a session', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { origin: base });
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(401);
  });
});

describe('sign-in', () => {
  it('gives an httpOnly SameSite=Strict cookie and keeps the hub token on the server', async () => {
    const r = await signIn();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ username: 'root', role: 'HUB_ADMIN' });
    expect(JSON.stringify(r.body)).not.toContain('kiki_as_');
    const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ username: 'root', password: PASSWORD }) });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/); // plain HTTP here; Secure behind TLS (ADMIN_COOKIE_SECURE)
    const me = await fetch(`${base}/api/me`, { headers: { cookie: r.cookie! } });
    expect(await me.json()).toMatchObject({ username: 'root' });
  });

  it('refuses a wrong password and throttles repeated failures (hub-side, per account)', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await signIn('locked', 'wrong password');
      expect(r.status).toBe(401);
      expect(r.body.message).toBe('wrong username or password');
    }
    const throttled = await signIn('locked', PASSWORD);
    expect(throttled.status).toBe(429);
    // the hub's one 429 code, passed on as is
    expect(throttled.body.error).toBe('RATE_LIMITED');
    expect(throttled.body.retryAfter).toBeGreaterThan(0);
    expect(throttled.cookie).toBeUndefined();
  });

  it('refuses malformed and cross-origin sign-ins before asking the hub', async () => {
    const post = (body: string, origin?: string) =>
      fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) }, body });
    expect((await post('{"username":"root"}', base)).status).toBe(400);
    expect((await post('{"username":"root","password":"x","extra":1}', base)).status).toBe(400);
    expect((await post(JSON.stringify({ username: 'root', password: 'p'.repeat(2000) }), base)).status).toBe(400);
    expect((await post(JSON.stringify({ username: 'root', password: 'p'.repeat(20_000) }), base)).status).toBe(413);
    expect((await post(JSON.stringify({ username: 'root', password: PASSWORD }), 'https://evil.example')).status).toBe(403);
    expect((await post(JSON.stringify({ username: 'root', password: PASSWORD }))).status).toBe(403);
  });

  it('state-changing requests of a signed-in admin need the dashboard Origin (CSRF)', async () => {
    const { cookie } = await signIn();
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookie!, origin: 'https://evil.example' },
      body: '{"query":"{ me { username } }"}',
    });
    expect(res.status).toBe(403);
    const ws = new WebSocket(`${base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { origin: 'https://evil.example', headers: { cookie: cookie! } });
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(status).toBe(403);
  });

  it('logout ends the session here and at the hub', async () => {
    const { cookie } = await signIn();
    expect((await fetch(`${base}/api/me`, { headers: { cookie: cookie! } })).status).toBe(200);
    const out = await fetch(`${base}/api/logout`, { method: 'POST', headers: { cookie: cookie!, origin: base } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await fetch(`${base}/api/me`, { headers: { cookie: cookie! } })).status).toBe(401);
    expect((await fetch(`${base}/queues`, { headers: { cookie: cookie! } })).status).toBe(401);
  });

  it('a forged or unknown cookie is no session', async () => {
    for (const cookie of ['kiki_admin=forged', 'kiki_admin=', 'kiki_admin=%E0%A4%A', `kiki_admin=${'x'.repeat(5000)}`]) {
      const res = await fetch(`${base}/api/me`, { headers: { cookie } });
      expect(res.status, cookie.slice(0, 30)).toBe(401);
    }
  });
});
