import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type Browser, chromium } from 'playwright-core';
import { startWorker } from '../../../hub/src/worker';
import { startTestHub, type TestHub } from '../../../../test/support/hub';
import { createAdminApp } from '../../src/bootstrap';
import { loadAdminConfig } from '../../src/config/admin-config';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Builds the dashboard with vite's JS API into a temporary folder (tests never need `npm run build`). */
export async function buildDashboard(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'kiki-admin-web-'));
  // vite is ESM-only with types the project's node10 resolution cannot see: import it by name at run time
  const vite = 'vite';
  const { build } = (await import(vite)) as { build(config: object): Promise<unknown> };
  await build({
    configFile: resolve(__dirname, '../../web/vite.config.mts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Stack {
  hub: TestHub;
  admin: NestExpressApplication;
  adminUrl: string;
  browser: Browser;
  /** a quota worker as its own app context (like `npm run worker`), started (once) when a test wants evictions or samples */
  ensureWorker(): Promise<INestApplicationContext>;
  close(): Promise<void>;
}

/**
 * A real hub (Postgres clone, Redis prefix of its own, quota workers off in the hub process),
 * the admin app in front of it, and Debian's Chromium driven by playwright-core.
 */
export async function startStack(hubEnv: Record<string, string> = {}): Promise<Stack> {
  const web = await buildDashboard();
  const hub = await startTestHub({ RUN_WORKERS: 'false', QUOTA_SWEEP_EVERY_SECONDS: '0', ...hubEnv });
  const config = loadAdminConfig({ NODE_ENV: 'test', HUB_URL: hub.url, REDIS_URL: hub.config.REDIS_URL, REDIS_PREFIX: hub.config.REDIS_PREFIX, LOG_LEVEL: 'silent' });
  const admin = await createAdminApp(config, { webRoot: web.dir, logger: false });
  await admin.listen(0, '127.0.0.1');
  const adminUrl = `http://127.0.0.1:${(admin.getHttpServer().address() as { port: number }).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  const workers: INestApplicationContext[] = [];
  return {
    hub,
    admin,
    adminUrl,
    browser,
    async ensureWorker() {
      if (!workers.length) workers.push(await startWorker(hub.config, { logger: false }));
      return workers[0];
    },
    async close() {
      await browser.close().catch(() => undefined);
      for (const w of workers) await w.close().catch(() => undefined);
      await admin.close();
      await hub.close();
      web.remove();
    },
  };
}
