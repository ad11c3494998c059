import { describe, expect, it } from 'vitest';
import type { HubClient, HubSession } from '../hub/hub.client';
import { SessionStore } from './session.store';

const admin = { username: 'ann', role: 'HUB_ADMIN' as const, regions: [] };
const MIN = 60_000;

/** A hub that issues 15-minute tokens up to a 60-minute absolute limit, on a clock the test moves. */
function fakeHub(clock: { now: number }) {
  const calls = { refresh: 0, logout: [] as string[] };
  let n = 0;
  const issue = (absolute: number): HubSession => ({
    token: `t${++n}`,
    expiresAt: new Date(Math.min(clock.now + 15 * MIN, absolute)).toISOString(),
    absoluteExpiresAt: new Date(absolute).toISOString(),
    admin,
  });
  const absolute = clock.now + 60 * MIN;
  const hub = {
    login: async () => issue(absolute),
    refresh: async () => {
      calls.refresh++;
      await new Promise((r) => setTimeout(r, 5));
      return issue(absolute);
    },
    logout: async (token: string) => void calls.logout.push(token),
  } as unknown as HubClient;
  return { hub, calls, first: () => issue(absolute) };
}

describe('SessionStore', () => {
  it('keeps an active session alive by refreshing the hub token past half its life, up to the absolute limit', async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const { hub, calls, first } = fakeHub(clock);
    const store = new SessionStore(hub, 10, () => clock.now);
    const { sid } = store.create(first());
    clock.now += 5 * MIN;
    expect((await store.get(sid))?.hubToken).toBe('t1'); // fresh: no refresh
    clock.now += 5 * MIN;
    const [a, b] = await Promise.all([store.get(sid), store.get(sid)]);
    expect(calls.refresh).toBe(1); // one refresh for concurrent requests
    expect(a?.hubToken).toBe('t2');
    expect(b?.hubToken).toBe('t2');
    for (let i = 0; i < 10; i++) {
      clock.now += 8 * MIN;
      await store.get(sid);
    }
    expect(await store.get(sid)).toBeUndefined(); // 60 minutes after sign-in, whatever the activity
    store.close();
  });

  it('ends an idle session at its expiry and tells listeners; logout revokes the hub token', async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const { hub, calls, first } = fakeHub(clock);
    const store = new SessionStore(hub, 10, () => clock.now);
    const ended: string[] = [];
    store.onEnd((k) => ended.push(k));
    const idle = store.create(first());
    clock.now += 16 * MIN;
    expect(await store.get(idle.sid)).toBeUndefined();
    expect(ended).toEqual([store.keyOf(idle.sid)]);
    const active = store.create(first());
    await store.destroy(active.sid);
    expect(await store.get(active.sid)).toBeUndefined();
    expect(calls.logout).toEqual([active.session.hubToken]);
    store.close();
  });

  it('refuses ids that are not its own and bounds the number of sessions', async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const { hub, first } = fakeHub(clock);
    const store = new SessionStore(hub, 2, () => clock.now);
    for (const sid of [undefined, '', 'x', 'a'.repeat(43) + '=', 'a'.repeat(5000)]) expect(await store.get(sid)).toBeUndefined();
    const s1 = store.create(first());
    store.create(first());
    store.create(first());
    expect(store.size).toBe(2);
    expect(await store.get(s1.sid)).toBeUndefined(); // the oldest went first
    store.close();
  });
});
