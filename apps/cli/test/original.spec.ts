/**
 * An original kiki instance and the kiki CLI, both syncing through the hub, see each other's public
 * posts. The original is driven as envelopes built to its format (test/support/kiki-original.ts
 * plays its /list, /download, /envelope sync against the hub's /r/<region> routes).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, Opener, seal } from '@kiki/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedPost } from '@kiki/client';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../../test/support/hub';
import { OriginalKikiInstance } from '../../../test/support/kiki-original';
import { cli } from './support';

describe('an original kiki instance and the kiki CLI through the hub', () => {
  let hub: TestHub;
  let region: RegionContext;
  let root: string;

  beforeAll(async () => {
    hub = await startTestHub();
    region = await hub.createRegion();
    root = await fs.mkdtemp(join(tmpdir(), 'kiki-orig-'));
  });
  afterAll(async () => {
    await hub?.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('see each other\'s public posts', async () => {
    const oscar = generateKeyPair();
    const original = new OriginalKikiInstance(oscar, region.keys);
    // As the original writes them: its name, a post, with the legacy fields it sends on the wire.
    for (const [purpose, content] of [['action-assign/name', 'Oscar'], ['share-text', '<p>hello from the <em>original</em></p>']] as const) {
      const env = seal({ purpose, content, recipients: [region.publicKey] }, oscar, region.publicKey);
      original.store.set(env.id, { ...env, sender_raw: '', letter: {}, opened: false } as never);
    }
    const peer = `${hub.url}/r/${region.publicKey}`;
    expect((await original.syncWith(peer)).aborted).toBeNull();

    const alice = cli(join(root, 'alice'), { KIKI_REGION_PRIVATE: region.keys.private });
    await alice.ok('init');
    await alice.ok('join', '--hub', hub.url, '--region-public', region.publicKey);
    await alice.ok('name', 'Alice');
    const mine = (await alice.json('post', 'hello from the <b>kiki CLI</b>')).id as string;
    await alice.ok('sync');

    const feed: FeedPost[] = await alice.json('feed');
    expect(feed.map((p) => [p.author, p.text])).toEqual([
      ['you', 'hello from the kiki CLI'],
      ['Oscar', 'hello from the original'],
    ]);

    const round = await original.syncWith(peer);
    expect(round.aborted).toBeNull();
    expect(original.store.has(mine)).toBe(true);
    const opener = new Opener([region.keys, oscar]);
    const seen = [...original.store.values()].map((e) => opener.tryOpen(e)?.letter).filter((l) => l?.purpose === 'share-text').map((l) => l!.content);
    expect(seen).toEqual(expect.arrayContaining(['hello from the <b>kiki CLI</b>', '<p>hello from the <em>original</em></p>']));
  });
});
