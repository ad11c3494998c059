/** The old reference client's ~/.kiki-hub-client: the CLI says how to bring it over, and `migrate` does. */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeLetter, FileEnvelopeStore } from '@kiki/client';
import { generateKeyPair } from '@kiki/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/main';
import { cli } from './support';

describe('kiki migrate (the old client of issue 11)', () => {
  let root: string;
  const region = generateKeyPair();
  const person = generateKeyPair();
  const ids: string[] = [];

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'kiki-migrate-'));
    // What the old client left: identity.json (no friends key: it never made one) and data/<region>/ as JSON lines.
    const old = join(root, 'home', '.kiki-hub-client');
    await fs.mkdir(old, { recursive: true, mode: 0o700 });
    const identity = { person, friends: [], regions: [{ ...region, hub: 'http://127.0.0.1:9' }] };
    await fs.writeFile(join(old, 'identity.json'), JSON.stringify(identity), { mode: 0o600 });
    const store = await FileEnvelopeStore.open(join(old, 'data', region.public), { region: region.public });
    for (const text of ['first post', 'second post', 'note to self']) {
      const env = composeLetter(identity, region, text, { to: text.startsWith('note') ? ['self'] : ['public'] });
      await store.put([env]);
      ids.push(env.id);
    }
    await store.markTombstones([{ id: ids[1], reason: 'quota' }]);
    await store.saveSyncState('http://127.0.0.1:9', region.public, { cursor: '42', lastSyncAt: '2026-11-30T10:00:00.000Z' });
    await store.close();
  });

  afterAll(async () => {
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('points at the old identity instead of a bare "run init"', async () => {
    const kiki = cli(join(root, 'home'));
    const r = await kiki('whoami');
    expect(r.code).toBe(EXIT.IDENTITY);
    expect(r.err[0]).toMatch(/old client's identity is in .*\.kiki-hub-client: run "kiki migrate"/);
  });

  it('copies the identity and the store (tombstones and cursors too), leaves the old directory, and can run again', async () => {
    const kiki = cli(join(root, 'home'));
    const first = await kiki.json('migrate');
    expect(first).toMatchObject({ identityCopied: true, regions: [{ region: region.public, envelopes: 3, tombstones: 1, syncStates: 1 }] });
    expect((await fs.stat(join(root, 'home', 'identity.json'))).mode & 0o777).toBe(0o600);
    expect((await kiki.json('whoami')).public).toBe(person.public);

    const status = await kiki.json('status');
    expect(status.regions[0]).toMatchObject({ envelopes: 2, tombstones: 1, cursor: '42' });
    const feed = await kiki.json('feed');
    // A quota removal keeps the local copy (the hub's disk, not the author's will).
    expect(feed.map((p: { text: string }) => p.text).sort()).toEqual(['first post', 'note to self', 'second post']);

    await expect(fs.stat(join(root, 'home', '.kiki-hub-client', 'data', region.public, 'envelopes.jsonl'))).resolves.toBeTruthy();
    const again = await kiki.json('migrate');
    expect(again).toMatchObject({ identityCopied: false, regions: [{ envelopes: 0, syncStates: 0 }] });
  });

  it("refuses to replace another person's identity", async () => {
    const other = cli(join(root, 'other'), { KIKI_HUB_CLIENT_HOME: join(root, 'home', '.kiki-hub-client') });
    expect((await other('init')).code).toBe(EXIT.OK);
    const r = await other('migrate');
    expect(r.code).toBe(EXIT.IDENTITY);
    expect(r.err[0]).toMatch(/holds another person/);
  });
});
