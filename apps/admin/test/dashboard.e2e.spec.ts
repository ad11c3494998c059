import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair, type KeyPair } from '@kiki/crypto';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AdminAccountService } from '../../hub/src/admin/admin-account.service';
import { IngestService } from '../../hub/src/ingest/ingest.service';
import { QuotaService } from '../../hub/src/quota/quota.service';
import type { RegionContext } from '../../hub/src/regions/region.service';
import { at, letter, noise, waitFor } from '../../../test/quota/support/quota';
import { type AdminPage, expectAccessible, openAdmin, screenshot, signInUi } from './support/browser';
import { startStack, type Stack } from './support/stack';

/**
 * The dashboard in Debian's Chromium against a real hub, quota worker, admin app, Postgres and
 * Redis: what an operator and a region admin see and do, checked through the page and the API.
 */
const PASSWORD = 'dashboard test password';
let stack: Stack;
let base: string;
let riverside: RegionContext;
let hilltop: RegionContext;
const [ada, bo, cy, dee] = Array.from({ length: 4 }, () => generateKeyPair());
let clock = 0;
let root: AdminPage;

const letters = (person: KeyPair, region: KeyPair, n: number, size = 4000): Envelope[] =>
  Array.from({ length: n }, () => letter(person, region, { content: noise(size), when: at(++clock) }));
const named = (person: KeyPair, region: KeyPair, name: string): Envelope =>
  letter(person, region, { purpose: 'action-assign/name', content: name, when: at(++clock) });

async function ingest(ctx: RegionContext, envs: Envelope[]): Promise<void> {
  const results = await stack.hub.app.get(IngestService).ingest(ctx, envs, 'test');
  expect(results.every((r) => r.status === 'stored')).toBe(true);
}

async function usageOf(ctx: RegionContext, person: KeyPair): Promise<number> {
  return (await stack.hub.app.get(QuotaService).personQuota(ctx, person.public)).usage.bytes;
}

beforeAll(async () => {
  stack = await startStack({ USAGE_SAMPLE_EVERY_SECONDS: '1' });
  base = stack.adminUrl;
  riverside = await stack.hub.createRegion('Riverside');
  hilltop = await stack.hub.createRegion('Hilltop');
  const accounts = stack.hub.app.get(AdminAccountService);
  await accounts.create('test', 'root', 'hub', [], PASSWORD);
  await accounts.create('test', 'ria', 'region', [riverside.keys.public], PASSWORD);
  const quota = stack.hub.app.get(QuotaService);
  await quota.setRegionPolicy(riverside, { defaultBytes: 20_000, trustedBytes: 200_000 });
  await quota.setPersonTier(riverside, bo.public, 'trusted');
  // no quota worker runs yet: Ada stays over her 20 kB until one starts
  await ingest(riverside, [named(ada, riverside.keys, 'Ada'), named(bo, riverside.keys, 'Bo'), named(cy, riverside.keys, 'Cy')]);
  await ingest(riverside, [...letters(ada, riverside.keys, 8), ...letters(bo, riverside.keys, 10), ...letters(cy, riverside.keys, 2)]);
  await ingest(hilltop, [named(dee, hilltop.keys, 'Dee'), ...letters(dee, hilltop.keys, 3)]);
  root = await openAdmin(stack.browser);
});
afterAll(() => stack?.close());

describe('a hub admin', () => {
  it('signs in (a wrong password is refused in the page)', async () => {
    const { page } = root;
    await signInUi(page, base, 'root', 'not the password');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('wrong username or password');
    await screenshot(page, 'login');
    await expectAccessible(page, 'login');
    await signInUi(page, base, 'root', PASSWORD);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('overview: every region with its totals and people over their limit', async () => {
    const { page } = root;
    const row = page.getByRole('row', { name: /Riverside/ });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toMatch(/Riverside/);
    expect(await page.getByRole('row', { name: /Hilltop/ }).count()).toBe(1);
    // Riverside: 3 people, Ada over her limit
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells[1]).toBe('3');
    expect(cells[3]).toBe('1');
    await expectAccessible(page, 'overview');
    await screenshot(page, 'overview');
  });

  it('region: the person over quota is first by pressure, with an accessible usage bar', async () => {
    const { page } = root;
    await page.getByRole('link', { name: 'Riverside' }).click();
    await page.getByRole('heading', { name: 'People' }).waitFor();
    const first = page.locator('tbody tr').first();
    await expect.poll(() => first.getAttribute('data-person')).toBe(ada.public);
    const bar = first.getByRole('progressbar');
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    expect(await bar.getAttribute('aria-valuetext')).toMatch(/^1\d\d %/);
    expect(await first.textContent()).toContain('over');
    await expectAccessible(page, 'region');
    await screenshot(page, 'region');
  });

  it('region: search by name and CSV export of the people table', async () => {
    const { page } = root;
    await page.getByRole('searchbox', { name: 'Search' }).fill('Cy');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr').first().getAttribute('data-person')).toBe(cy.public);
    const csv = await page.evaluate(async (href) => (await fetch(href)).text(), `/api/export/people.csv?region=${riverside.keys.public}&orderBy=USAGE_DESC`);
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^public_key,name,tier,usage_bytes,limit_bytes/);
    expect(lines).toHaveLength(1 + 3);
    expect(lines[1]).toContain(bo.public);
    expect(csv).not.toContain('sealed');
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await page.getByRole('button', { name: 'Search' }).click();
  });

  it('evictions: a quota eviction appears live, without reloading', async () => {
    const { page } = root;
    await page.goto(`${base}/evictions?region=${riverside.keys.public}`);
    await page.locator('[data-live="ok"]').waitFor();
    expect(await page.locator('[data-eviction]').count()).toBe(0);
    await stack.ensureWorker(); // evaluates Ada: she is over her limit
    await page.locator('tr.row-new[data-eviction]').first().waitFor({ timeout: 20_000 });
    const rows = await page.locator('[data-eviction]').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes('Ada') && r.includes('oldest'))).toBe(true);
    await waitFor(() => usageOf(riverside, ada), (u) => u <= 20_000, 'Ada within her limit');
    await expectAccessible(page, 'evictions');
    await screenshot(page, 'evictions');
  });

  it('a tier change shows its dry run, then evicts, and the audit log shows it', async () => {
    const { page } = root;
    await page.goto(`${base}/regions/${riverside.keys.public}?order=USAGE_DESC`);
    const row = page.locator(`tr[data-person="${bo.public}"]`);
    await row.getByRole('button', { name: /Change tier/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Tier').selectOption('DEFAULT');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const preview = dialog.getByRole('status');
    await expect.poll(() => preview.textContent()).toMatch(/^\d+ envelopes, [\d.]+ kB will be evicted/i);
    const before = await usageOf(riverside, bo);
    expect(before).toBeGreaterThan(20_000); // the dry run changed nothing
    await screenshot(page, 'region-dry-run');
    await dialog.getByRole('button', { name: 'Confirm change' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await waitFor(() => usageOf(riverside, bo), (u) => u <= 20_000, 'Bo evicted down to the default limit');
    await page.goto(`${base}/audit?region=${riverside.keys.public}`);
    const entry = page.locator('tr[data-audit="setPersonTier"]').first();
    await entry.waitFor();
    const text = await entry.textContent();
    expect(text).toContain('root');
    expect(text).toMatch(/trusted/i);
    expect(text).toMatch(/default/i);
    await expectAccessible(page, 'audit');
    await screenshot(page, 'audit');
  });
});

describe('queues (hub admin)', () => {
  it('bull-board, behind the same session, shows a failed quota job and retries it', async () => {
    const { page } = root;
    const queue = new Queue('quota', { connection: { url: stack.hub.config.REDIS_URL, maxRetriesPerRequest: null }, prefix: stack.hub.config.REDIS_PREFIX });
    try {
      // a job the worker cannot run (no such region id): it fails at once, with one attempt
      const job = await queue.add('quota.evaluate', { regionId: 'no-such-region' as unknown as number, person: ada.public }, { attempts: 1, jobId: 'broken-1' });
      await waitFor(() => job.getState(), (s) => s === 'failed', 'the broken job to fail');
      await page.goto(`${base}/queues/queue/quota?status=failed`);
      await page.getByText('broken-1', { exact: true }).waitFor();
      await screenshot(page, 'bull-board');
      const failedAt = (await queue.getJob('broken-1'))!.finishedOn!;
      // bull-board's per-job buttons are unlabelled icons: its labelled "Retry all" of the failed tab
      await page.getByRole('button', { name: 'Retry all' }).click();
      await page.getByRole('button', { name: 'Confirm' }).click();
      // retried: it left the failed set and the worker ran it once more (and it failed once more)
      await waitFor(async () => (await queue.getJob('broken-1'))!.finishedOn ?? 0, (t) => t > failedAt, 'the job to be retried');
    } finally {
      await queue.close();
    }
  });

  it('the queues page shows the worker, the sweep and failed jobs per region', async () => {
    const { page } = root;
    await page.goto(`${base}/queue-health`);
    await page.getByRole('heading', { name: 'Queues' }).waitFor();
    await expect.poll(() => page.locator('.facts').textContent()).toMatch(/Workers alive\s*[1-9]/);
    await expect.poll(() => page.locator('.facts').textContent()).toMatch(/Failed\s*[1-9]/);
    await expectAccessible(page, 'queues');
    await screenshot(page, 'queues');
  });
});

describe('a region admin', () => {
  let ria: AdminPage;
  beforeAll(async () => {
    ria = await openAdmin(stack.browser);
    await signInUi(ria.page, base, 'ria', PASSWORD);
    await ria.page.getByRole('heading', { name: 'Overview' }).waitFor();
  });
  afterAll(() => ria?.context.close());

  it('sees only their region in every page', async () => {
    const { page } = ria;
    await page.getByRole('row', { name: /Riverside/ }).waitFor();
    expect(await page.getByRole('row', { name: /Hilltop/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Queues' }).count()).toBe(0);
    await page.goto(`${base}/evictions`);
    await page.getByLabel('Region').locator('option', { hasText: 'Riverside' }).waitFor({ state: 'attached' });
    const options = await page.getByLabel('Region').locator('option').allTextContents();
    expect(options.filter((o) => o.includes('Hilltop'))).toEqual([]);
    expect(options.some((o) => o.includes('Riverside'))).toBe(true);
    await page.goto(`${base}/audit`);
    await page.locator('tr[data-audit]').first().waitFor();
    const regions = await page.locator('tr[data-audit]').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
    expect(regions.some((t) => t.includes(hilltop.keys.public.slice(0, 6)))).toBe(false);
  });

  it('gets FORBIDDEN from the API for another region, in the page and in direct calls', async () => {
    const { page } = ria;
    await page.goto(`${base}/regions/${hilltop.keys.public}`);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Not allowed');
    const code = await page.evaluate(async (region) => {
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query($r: String!) { persons(region: $r) { nodes { publicKey } } }', variables: { r: region } }),
      });
      return ((await res.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code;
    }, hilltop.keys.public);
    expect(code).toBe('FORBIDDEN');
    const csv = await page.evaluate(async (region) => (await fetch(`/api/export/people.csv?region=${region}`)).status, hilltop.keys.public);
    expect(csv).toBe(403);
    const board = await page.evaluate(async () => (await fetch('/queues')).status);
    expect(board).toBe(403);
  });
});

describe('small screens and dark mode', () => {
  it('the region page stays readable on a phone, in dark mode, and says when its live stream is lost', async () => {
    const phone = await openAdmin(stack.browser, { width: 390, height: 844, dark: true });
    try {
      await signInUi(phone.page, base, 'root', PASSWORD);
      await phone.page.getByRole('heading', { name: 'Overview' }).waitFor();
      await phone.page.goto(`${base}/regions/${riverside.keys.public}`);
      await phone.page.locator('tbody tr').first().waitFor();
      await screenshot(phone.page, 'region-phone-dark');
      // nothing wider than the screen except the scrollable table
      const overflow = (await phone.page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      expect(overflow).toBeLessThanOrEqual(0);
      await expectAccessible(phone.page, 'region (phone, dark)');
      // the session ends elsewhere (here: logout from the same browser): the relay closes the
      // live socket, and the page says so instead of showing stale data as live
      await phone.page.locator('[data-live="ok"]').waitFor();
      await phone.page.evaluate(async () => void (await fetch('/api/logout', { method: 'POST' })));
      await phone.page.locator('[data-live="lost"]').waitFor({ timeout: 15_000 });
      expect(await phone.page.locator('[data-live="lost"]').textContent()).toMatch(/Live updates lost/);
    } finally {
      await phone.context.close();
    }
  });
});

describe('storage over time', () => {
  it('charts the samples the hub recorded', async () => {
    const own = await openAdmin(stack.browser);
    const { page } = own;
    await signInUi(page, base, 'root', PASSWORD);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await stack.ensureWorker();
    const ds = stack.hub.app.get(DataSource);
    // one sample a second, one point a minute (the API's smallest step): wait for samples in two minutes, a line
    await waitFor(
      async () => (await ds.query(`SELECT count(DISTINCT date_trunc('minute', at))::int AS n FROM usage_sample WHERE region_id = $1`, [riverside.regionId]))[0].n as number,
      (n) => n >= 2,
      'usage samples of Riverside in two minutes',
      75_000,
    );
    await page.goto(`${base}/storage?region=${riverside.keys.public}&period=1h`);
    const samples = page.locator('figure').filter({ hasText: 'Bytes stored' }).locator('circle.sample');
    await samples.first().waitFor();
    const drawn = await samples.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-sample'))));
    // every point is a sample the worker wrote to Postgres
    const rows: { bytes: string }[] = await ds.query(`SELECT bytes FROM usage_sample WHERE region_id = $1`, [riverside.regionId]);
    const recorded = rows.map((r) => Number(r.bytes));
    expect(drawn.length).toBeGreaterThanOrEqual(2);
    for (const v of drawn) expect(recorded).toContain(v);
    await expectAccessible(page, 'storage');
    await screenshot(page, 'storage');
    expect(own.problems).toEqual([]);
    await own.context.close();
  }, 120_000);

  it('no CSP violation or page error on any page of the hub admin', () => {
    expect(root.problems).toEqual([]);
  });
});
