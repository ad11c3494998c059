/** The stores: exactly as received, re-validated on load, crash-safe log, atomic state, one writer. */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@kiki/crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileEnvelopeStore, StoreError, StoreLockedError } from '../src/node/file-store';
import { LevelEnvelopeStore } from '../src/node/level-store';
import { type EnvelopeStore, MemoryEnvelopeStore } from '../src/node/store';
import { letters } from './helpers';

const region = generateKeyPair();

describe.each([
  ['memory', async () => new MemoryEnvelopeStore()],
  ['file', async (dir: string) => FileEnvelopeStore.open(dir)],
  ['level', async (dir: string) => LevelEnvelopeStore.open(dir)],
] as const)('%s store', (_name, make) => {
  let dir: string;
  let store: EnvelopeStore;
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'kiki-store-'));
    store = await make(dir);
  });
  afterEach(async () => {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('stores valid envelopes once, reports invalid ones', async () => {
    const envs = letters(region, 5);
    const bad = { ...envs[0], id: 'nope' };
    const r = await store.put([envs[0], envs[1], bad, envs[1], { hello: 1 }]);
    expect(r.added).toEqual([envs[0].id, envs[1].id]);
    expect(r.known).toBe(1);
    expect(r.invalid.map((i) => [i.index, i.field])).toEqual([
      [2, 'id'],
      [4, 'hello'],
    ]);
    expect(await store.get(envs[0].id)).toEqual(envs[0]);
    expect(await store.has(envs[1].id)).toBe(true);
    expect(await store.has(envs[2].id)).toBe(false);
    expect(await store.count()).toEqual({ envelopes: 2, tombstones: 0 });
  });

  it('keeps tombstones: an erased envelope is dropped, a quota-evicted one stays readable, neither comes back', async () => {
    const envs = letters(region, 3);
    await store.put(envs);
    expect(await store.markTombstones([{ id: envs[0].id, reason: 'erase' }, { id: envs[1].id, reason: 'quota' }, { id: 'x'.repeat(44), reason: 'admin' }])).toBe(3);
    expect(await store.get(envs[0].id)).toBeUndefined();
    expect(await store.get(envs[1].id)).toEqual(envs[1]);
    expect((await store.put([envs[0]])).known).toBe(1);
    const list = await store.list();
    expect(list.find((e) => e.id === envs[0].id)).toMatchObject({ tombstone: 'erase' });
    expect(list.find((e) => e.id === envs[0].id)?.tsMs).toBeGreaterThan(0);
    expect(list.find((e) => e.id === 'x'.repeat(44))).toEqual({ id: 'x'.repeat(44), tsMs: null, tombstone: 'admin' });
    expect(await store.count()).toEqual({ envelopes: 1, tombstones: 3 });
  });

  it('saves sync state per (hub, region)', async () => {
    expect(await store.loadSyncState('http://a', region.public)).toBeNull();
    await store.saveSyncState('http://a', region.public, { cursor: '42', rejected: { abc: 'BAD_SIGNATURE' } });
    await store.saveSyncState('http://b', region.public, { cursor: '7' });
    expect(await store.loadSyncState('http://a', region.public)).toEqual({ cursor: '42', rejected: { abc: 'BAD_SIGNATURE' } });
    expect((await store.loadSyncState('http://b', region.public))?.cursor).toBe('7');
  });
});

describe('file store on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'kiki-fstore-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes the sealed fields as received (never the wire\'s legacy letter/opened) and reloads them re-validated', async () => {
    const [env] = letters(region, 1);
    // As an original instance sends it: legacy fields, a +01:00 timestamp.
    const wire = { ...env, sender_raw: '', letter: {}, opened: false };
    let store = await FileEnvelopeStore.open(dir, { region: region.public });
    await store.put([wire]);
    await store.saveSyncState('http://h', region.public, { cursor: '9' });
    await store.close();
    const line = (await fs.readFile(join(dir, 'envelopes.jsonl'), 'utf8')).trim();
    expect(JSON.parse(line)).toEqual({ k: 'e', e: env });
    expect((await fs.stat(join(dir, 'envelopes.jsonl'))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(join(dir, 'state.json'))).mode & 0o777).toBe(0o600);

    store = await FileEnvelopeStore.open(dir, { region: region.public });
    expect(await store.get(env.id)).toEqual(env);
    expect((await store.loadSyncState('http://h', region.public))?.cursor).toBe('9');
    await store.close();
  });

  it('cuts an unfinished last line and skips records that no longer parse', async () => {
    const envs = letters(region, 3);
    let store = await FileEnvelopeStore.open(dir);
    await store.put(envs);
    await store.close();
    const path = join(dir, 'envelopes.jsonl');
    const lines = (await fs.readFile(path, 'utf8')).split('\n').filter(Boolean);
    const tampered = JSON.parse(lines[1]) as { e: { sealed_letter: string } };
    tampered.e.sealed_letter = 'not base64!';
    const partial = '{"k":"e","e":{"id":"abc';
    await fs.writeFile(path, `${lines[0]}\n${JSON.stringify(tampered)}\n${lines[2]}\n${partial}`);

    store = await FileEnvelopeStore.open(dir);
    expect(store.loadReport).toEqual({ records: 3, skipped: 1, truncatedBytes: partial.length });
    expect((await store.list()).map((e) => e.id).sort()).toEqual([envs[0].id, envs[2].id].sort());
    const more = letters(region, 1);
    await store.put(more);
    await store.close();
    store = await FileEnvelopeStore.open(dir);
    expect(await store.has(more[0].id)).toBe(true);
    await store.close();
  });

  it('lets one process at a time use a store, and takes over a stale lock', async () => {
    const store = await FileEnvelopeStore.open(dir);
    await expect(FileEnvelopeStore.open(dir)).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    await store.close();
    // A lock left by a process that no longer exists.
    await fs.writeFile(join(dir, 'lock'), '999999999\n');
    const again = await FileEnvelopeStore.open(dir);
    await again.close();
  });

  it('refuses to open a directory that holds another region', async () => {
    const store = await FileEnvelopeStore.open(dir, { region: region.public });
    await store.close();
    await expect(FileEnvelopeStore.open(dir, { region: generateKeyPair().public })).rejects.toMatchObject({ code: 'STORE_INVALID' });
  });

  it('compacts the log, dropping erased bodies', async () => {
    const envs = letters(region, 4);
    const store = await FileEnvelopeStore.open(dir);
    await store.put(envs);
    await store.markTombstones([{ id: envs[0].id, reason: 'erase' }]);
    await store.compact();
    const text = await fs.readFile(join(dir, 'envelopes.jsonl'), 'utf8');
    expect(text).not.toContain(envs[0].sealed_letter);
    expect(text.trim().split('\n')).toHaveLength(4);
    await store.put(letters(region, 1));
    await store.close();
    const reopened = await FileEnvelopeStore.open(dir);
    expect(await reopened.count()).toEqual({ envelopes: 4, tombstones: 1 });
    await reopened.close();
  });
});

describe('LevelDB store on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'kiki-level-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps envelopes (never the wire\'s letter/opened), tombstones and sync state across reopen; entries come in time order', async () => {
    const envs = letters(region, 4);
    let store = await LevelEnvelopeStore.open(dir, { region: region.public });
    await store.put([...envs].reverse().map((e) => ({ ...e, sender_raw: '', letter: { purpose: 'share-text', content: 'injected' }, opened: true })));
    await store.markTombstones([{ id: envs[0].id, reason: 'erase' }, { id: 'y'.repeat(44), reason: 'admin', tsMs: null }]);
    await store.saveSyncState('http://h', region.public, { cursor: '9' });
    await store.close();

    store = await LevelEnvelopeStore.open(dir, { region: region.public });
    expect(await store.get(envs[1].id)).toEqual(envs[1]);
    expect(Object.keys((await store.get(envs[1].id))!)).not.toContain('letter');
    expect(await store.get(envs[0].id)).toBeUndefined();
    expect((await store.loadSyncState('http://h', region.public))?.cursor).toBe('9');
    const entries = await store.list();
    expect(entries.map((e) => e.id)).toEqual([envs[0].id, envs[1].id, envs[2].id, envs[3].id, 'y'.repeat(44)]);
    expect(entries[0].tombstone).toBe('erase');
    const scanned: string[] = [];
    for await (const e of store.scan()) scanned.push(e.id);
    expect(scanned.sort()).toEqual([envs[1].id, envs[2].id, envs[3].id].sort());
    await store.close();
  });

  it('holds one region and one process at a time', async () => {
    const store = await LevelEnvelopeStore.open(dir, { region: region.public });
    await expect(LevelEnvelopeStore.open(dir, { region: region.public })).rejects.toBeInstanceOf(StoreLockedError);
    await store.close();
    await expect(LevelEnvelopeStore.open(dir, { region: generateKeyPair().public })).rejects.toBeInstanceOf(StoreError);
  });
});
