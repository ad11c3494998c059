/** Runs the kiki CLI in process, one home directory per person, against a real hub. */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../../test/support/hub';
import { EXIT, main } from '../src/main';

export interface Run {
  code: number;
  out: string[];
  err: string[];
}

export type Cli = ((...argv: string[]) => Promise<Run>) & {
  /** runs with --json and expects success: the parsed output */
  json: <T = any>(...argv: string[]) => Promise<T>;
  /** runs and expects success */
  ok: (...argv: string[]) => Promise<Run>;
};

export function cli(home: string, env: Record<string, string> = {}): Cli {
  const run = async (...argv: string[]): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['--home', home, ...argv], { stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: { HOME: home, ...env } });
    return { code, out, err };
  };
  const ok = async (...argv: string[]) => {
    const r = await run(...argv);
    if (r.code !== EXIT.OK) throw new Error(`kiki ${argv.join(' ')} exited ${r.code}: ${r.err.join(' | ')}`);
    return r;
  };
  const json = async (...argv: string[]) => JSON.parse((await ok(...argv, '--json')).out.join('\n'));
  return Object.assign(run, { ok, json });
}

/** The smallest valid PNG (1x1), for avatars. */
export const PNG_1X1 = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

export interface HubFixture {
  hub: TestHub;
  region: RegionContext;
  /** a temporary directory for the people's homes */
  root: string;
}

/** A real hub with one region and a temporary directory, for the specs of one describe block. */
export function useHub(prefix: string): HubFixture {
  const fx = {} as HubFixture;
  beforeAll(async () => {
    fx.hub = await startTestHub();
    fx.region = await fx.hub.createRegion();
    fx.root = await fs.mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await fx.hub?.close();
    if (fx.root) await fs.rm(fx.root, { recursive: true, force: true });
  });
  return fx;
}
