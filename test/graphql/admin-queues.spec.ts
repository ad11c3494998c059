import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@kiki/crypto';
import { UsageSampleRepository } from '@kiki/storage';
import { DataSource } from 'typeorm';
import { AdminAccountService } from '../../apps/hub/src/admin/admin-account.service';
import { QuotaQueue } from '../../apps/hub/src/quota/quota.queue';
import { startTestHub, type TestHub } from '../support/hub';
import { people } from '../support/envelopes';
import { codeOf, gql, memberAuth, SUBMIT, toInput } from './client';
import { publicPost } from '../support/envelopes';

const TOKEN = 'q'.repeat(40);
const ADMIN = `Bearer ${TOKEN}`;
let hub: TestHub;
const [alice] = people(1);

beforeAll(async () => {
  // workers in process: the usage sample and the sweep run as repeatable jobs
  hub = await startTestHub({ ADMIN_TOKEN: TOKEN, USAGE_SAMPLE_EVERY_SECONDS: '1', QUOTA_SWEEP_EVERY_SECONDS: '600' });
});
afterAll(() => hub?.close());

const SERIES = `query($r: String!, $from: DateTime!, $to: DateTime!, $step: Int!) { usageSeries(region: $r, from: $from, to: $to, step: $step) { at bytes envelopes people } }`;

async function until<T>(probe: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('usage samples and usageSeries', () => {
  it('the repeatable job records real samples that usageSeries serves', async () => {
    const ctx = await hub.createRegion('sampled');
    const env = publicPost(alice, ctx.keys, 'x'.repeat(500));
    expect((await gql(hub.url, SUBMIT, { region: ctx.keys.public, envelopes: [toInput(env)] }, memberAuth(alice, ctx.keys))).data.submitEnvelopes.stored).toBe(1);
    const from = new Date(Date.now() - 60_000).toISOString();
    const points = await until(async () => {
      const r = await gql(hub.url, SERIES, { r: ctx.keys.public, from, to: new Date(Date.now() + 60_000).toISOString(), step: 60 }, ADMIN);
      expect(r.errors).toBeUndefined();
      return r.data.usageSeries.find((p: any) => p.envelopes === 1) ? r.data.usageSeries : null;
    });
    expect(points.at(-1)).toMatchObject({ bytes: env.sealed_letter.length, envelopes: 1, people: 1 });
  });

  it('serves the last sample of each step, and deletes samples past retention', async () => {
    const ctx = await hub.createRegion('series');
    const ds = hub.app.get(DataSource);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const rows = [
      [0, 10, 1, 1],
      [30, 20, 2, 1],
      [90, 30, 3, 2],
      [250, 40, 4, 2],
    ];
    for (const [s, bytes, envelopes, ppl] of rows) {
      await ds.query('INSERT INTO usage_sample (region_id, at, bytes, envelopes, people) VALUES ($1, $2, $3, $4, $5)', [ctx.regionId, new Date(t0 + s * 1000), bytes, envelopes, ppl]);
    }
    const r = await gql(hub.url, SERIES, { r: ctx.keys.public, from: new Date(t0).toISOString(), to: new Date(t0 + 300_000).toISOString(), step: 60 }, ADMIN);
    expect(r.data.usageSeries).toEqual([
      { at: '2026-01-01T00:00:00.000Z', bytes: 20, envelopes: 2, people: 1 },
      { at: '2026-01-01T00:01:00.000Z', bytes: 30, envelopes: 3, people: 2 },
      { at: '2026-01-01T00:04:00.000Z', bytes: 40, envelopes: 4, people: 2 },
    ]);
    // retention: the job deletes what is older than USAGE_SAMPLE_RETENTION_DAYS (90)
    await hub.app.get(UsageSampleRepository).record(90);
    expect((await ds.query('SELECT count(*)::int AS n FROM usage_sample WHERE region_id = $1', [ctx.regionId]))[0].n).toBe(1);
  });

  it('refuses bad ranges and steps, and callers out of scope', async () => {
    const ctx = await hub.createRegion('series-bad');
    const q = (v: Record<string, unknown>, auth = ADMIN) =>
      gql(hub.url, SERIES, { r: ctx.keys.public, from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', step: 3600, ...v }, auth);
    expect((await q({})).errors).toBeUndefined();
    expect((await q({ from: '2026-01-03T00:00:00Z' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    expect((await q({ step: 59 })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await q({ step: 60, to: '2026-03-01T00:00:00Z' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'step' });
    expect((await q({ from: 'yesterday' })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(codeOf(await q({}, memberAuth(alice, ctx.keys)))).toBe('FORBIDDEN');
    expect(codeOf(await q({ r: generateKeyPair().public }))).toBe('NOT_FOUND');
  });
});

describe('queueHealth', () => {
  const HEALTH = `{ queueHealth { lastSweepAt nextSweepAt nextUsageSampleAt workersAlive waiting active delayed failed failedByRegion { region failed } } }`;

  it('reports sweeps, live workers and failed jobs per region (hub admins only)', async () => {
    const ctx = await hub.createRegion('failing');
    const queue = hub.app.get(QuotaQueue).bullQueue!;
    // a job no handler takes fails at once, for good (UnrecoverableError)
    await queue.add('quota.unknown' as any, { regionId: ctx.regionId, person: alice.public }, { attempts: 1 });
    const h = await until(async () => {
      const r = await gql(hub.url, HEALTH, {}, ADMIN);
      expect(r.errors).toBeUndefined();
      const q = r.data.queueHealth;
      return q.failed >= 1 && q.lastSweepAt ? q : null;
    });
    expect(h.workersAlive).toBeGreaterThanOrEqual(1);
    expect(Date.parse(h.nextSweepAt)).toBeGreaterThan(Date.now());
    expect(Date.parse(h.nextSweepAt)).toBeLessThanOrEqual(Date.now() + 601_000);
    expect(Date.parse(h.lastSweepAt)).toBeLessThanOrEqual(Date.now());
    expect(h.nextUsageSampleAt).not.toBeNull();
    expect(h.failedByRegion).toEqual([{ region: ctx.keys.public, failed: 1 }]);
  });

  it('is for hub admins only', async () => {
    const ctx = await hub.createRegion('scoped');
    await hub.app.get(AdminAccountService).create('test', 'regional', 'region', [ctx.keys.public], 'a long enough password');
    const login = await gql(hub.url, `mutation { adminLogin(username: "regional", password: "a long enough password") { token } }`);
    const token = login.data.adminLogin.token;
    expect(codeOf(await gql(hub.url, HEALTH, {}, `Bearer ${token}`))).toBe('FORBIDDEN');
    expect(codeOf(await gql(hub.url, HEALTH, {}, memberAuth(alice, ctx.keys)))).toBe('FORBIDDEN');
    expect(codeOf(await gql(hub.url, HEALTH, {}))).toBe('UNAUTHENTICATED');
    // but the region admin reads their region's series
    const r = await gql(hub.url, SERIES, { r: ctx.keys.public, from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', step: 3600 }, `Bearer ${token}`);
    expect(r.errors).toBeUndefined();
  });
});
