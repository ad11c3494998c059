import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Pool } from 'pg';
import { chromium } from 'playwright-core';
import { benchDatabase, benchHubEnv, cpuSeconds, percentile, startHubProcess, stopHubProcess } from './support';

const ADMIN_TOKEN = randomBytes(24).toString('hex');
const PASSWORD = randomBytes(12).toString('hex');
// what the overview page asks (regions with their stats), a typical dashboard read
const OVERVIEW = '{ regions { publicKey name stats { envelopes bytes people } } }';

async function startAdminProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = fork(resolve(__dirname, '../apps/admin/src/main.js'), [], { env: { ...process.env, ...env, ADMIN_PORT: String(port), ADMIN_HOST: '127.0.0.1', LOG_LEVEL: 'silent' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the admin app did not start');
}

async function timed(n: number, call: () => Promise<Response>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await call();
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b);
}

/**
 * Browser time to data, in Debian's Chromium: from navigation to the first row of the overview
 * (every region) and of a region page (people by pressure) of a region with `people` people
 * (usage rows inserted straight into Postgres: the page reads the same index either way).
 */
async function browserTimes(adminUrl: string, hubUrl: string, databaseUrl: string, people: number): Promise<Array<Record<string, string | number>>> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  const big = (
    (await (
      await fetch(`${hubUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ query: 'mutation { createRegion(name: "big") { region { publicKey } } }' }) })
    ).json()) as { data: { createRegion: { region: { publicKey: string } } } }
  ).data.createRegion.region.publicKey;
  await pool.query(
    `INSERT INTO person_usage (region_id, person, bytes, envelopes)
     SELECT r.region_id, 'p' || lpad(g::text, 7, '0'), (g::bigint * 7919) % 6000001, 1 FROM region r, generate_series(1, $2) g WHERE r.public_key = $1`,
    [big, people],
  );
  await pool.query('ANALYZE');
  await pool.end();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const rows: Array<Record<string, string | number>> = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${adminUrl}/login`);
    await page.getByLabel('Username').fill('bench');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    for (const [what, path, firstRow] of [
      ['browser: overview, first region row (1,001 regions)', '/', 'tbody tr'],
      [`browser: region page, first person by pressure (${people.toLocaleString('en')} people)`, `/regions/${big}`, 'tr[data-person]'],
    ] as const) {
      const ms: number[] = [];
      for (let i = 0; i < 6; i++) {
        await page.goto('about:blank');
        const t = performance.now();
        await page.goto(adminUrl + path);
        await page
          .locator(firstRow)
          .first()
          .waitFor({ timeout: 60_000 })
          .catch(async (err: Error) => {
            throw new Error(`${what}: no row within 60 s; the page said: ${(await page.locator('body').innerText()).slice(0, 500)} (${err.message.split('\n')[0]})`);
          });
        if (i > 0) ms.push(performance.now() - t); // the first run warms the caches
      }
      ms.sort((a, b) => a - b);
      rows.push({ query: what, 'via admin p50 ms': percentile(ms, 50).toFixed(0), 'via admin p99 ms': ms[ms.length - 1].toFixed(0) });
    }
  } finally {
    await browser.close();
  }
  return rows;
}

/**
 * The admin app's added latency: the same GraphQL read sent straight to the hub with the admin
 * session token, and through the admin app (cookie → server-side session → hub), one at a time
 * (no queueing), `regions` regions.
 */
export async function runAdminWebBench(opts: { regions?: number; requests?: number; people?: number } = {}) {
  const regions = opts.regions ?? 1000;
  const n = opts.requests ?? 500;
  const db = await benchDatabase();
  const env = benchHubEnv(db.url, { ADMIN_TOKEN, RUN_WORKERS: 'false' });
  const hub = await startHubProcess(env);
  let admin: { url: string; child: ChildProcess } | undefined;
  try {
    execFileSync(process.execPath, [resolve(__dirname, '../apps/hub/src/cli.js'), 'admin', 'create', 'bench', '--role', 'hub', '--password-stdin'], {
      env: { ...process.env, ...env },
      input: `${PASSWORD}\n`,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    for (let i = 0; i < regions; i += 50) {
      const batch = Array.from({ length: Math.min(50, regions - i) }, (_, j) => `r${i + j}: createRegion(name: "bench ${i + j}") { region { publicKey } }`);
      await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ query: `mutation { ${batch.join(' ')} }` }) });
    }
    admin = await startAdminProcess({ HUB_URL: hub.url, REDIS_PREFIX: env.REDIS_PREFIX, NODE_ENV: 'production' });
    const login = await fetch(`${admin.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: admin.url }, body: JSON.stringify({ username: 'bench', password: PASSWORD }) });
    if (!login.ok) throw new Error(`admin login: HTTP ${login.status}`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const hubLogin = await fetch(`${hub.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { adminLogin(username: "bench", password: "${PASSWORD}") { token } }` }),
    });
    const token = ((await hubLogin.json()) as { data: { adminLogin: { token: string } } }).data.adminLogin.token;
    const body = JSON.stringify({ query: OVERVIEW });
    const direct = () => fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    const proxied = () => fetch(`${admin!.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookie, origin: admin!.url }, body });
    const small = JSON.stringify({ query: '{ me { username } }' });
    const directSmall = () => fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: small });
    const proxiedSmall = () => fetch(`${admin!.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookie, origin: admin!.url }, body: small });
    await timed(30, direct);
    await timed(30, proxied);
    const rows: Array<Record<string, string | number>> = [];
    for (const [what, d, p] of [
      ['me (tiny answer)', directSmall, proxiedSmall],
      [`regions + stats (${regions} regions)`, direct, proxied],
    ] as const) {
      // interleaved rounds, so drift of the shared machine hits both sides alike
      const a: number[] = [];
      const b: number[] = [];
      const adminCpu = cpuSeconds(admin.child.pid);
      for (let round = 0; round < 5; round++) {
        a.push(...(await timed(n / 5, d)));
        b.push(...(await timed(n / 5, p)));
      }
      a.sort((x, y) => x - y);
      b.sort((x, y) => x - y);
      rows.push({
        query: what,
        'direct p50 ms': percentile(a, 50).toFixed(2),
        'via admin p50 ms': percentile(b, 50).toFixed(2),
        'added p50 ms': (percentile(b, 50) - percentile(a, 50)).toFixed(2),
        'direct p99 ms': percentile(a, 99).toFixed(2),
        'via admin p99 ms': percentile(b, 99).toFixed(2),
        'admin app CPU ms/request': (((cpuSeconds(admin.child.pid) - adminCpu) * 1000) / n).toFixed(2),
      });
    }
    rows.push(...(await browserTimes(admin.url, hub.url, db.url, opts.people ?? 20_000)));
    return rows;
  } finally {
    if (admin) await stopHubProcess(admin);
    await stopHubProcess(hub);
    await db.drop();
  }
}
