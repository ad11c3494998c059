import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Where `npm run admin:screenshots` keeps the README's pictures; unset in ordinary test runs. */
const SHOTS = process.env.ADMIN_SCREENSHOTS_DIR;

export interface AdminPage {
  context: BrowserContext;
  page: Page;
  /** CSP violations and uncaught errors seen so far */
  problems: string[];
}

export async function openAdmin(browser: Browser, opts: { width?: number; height?: number; dark?: boolean } = {}): Promise<AdminPage> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 860 }, colorScheme: opts.dark ? 'dark' : 'light' });
  const page = await context.newPage();
  const problems: string[] = [];
  // bull-board (/queues) is not ours: its remote font and inline styles are refused by our CSP, on purpose
  const ours = () => !new URL(page.url()).pathname.startsWith('/queues');
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text()) && ours()) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { context, page, problems };
}

export async function signInUi(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * axe-core in the page (evaluated over the DevTools protocol, so the page's CSP stays strict):
 * no serious or critical violation.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(AXE);
  // a string, evaluated in the page: the test project has no DOM types
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`)) as { impact: string }[];
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), what).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
