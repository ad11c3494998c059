/**
 * An original kiki instance and the kiki CLI, both syncing through the hub, see each other's public
 * posts. The original is driven as envelopes built to its format (test/support/kiki-original.ts
 * plays its /list, /download, /envelope sync against the hub's /r/<region> routes).
 */
import { join } from 'node:path';
import { generateKeyPair, Opener, seal } from '@kiki/crypto';
import { describe, expect, it } from 'vitest';
import type { FeedPost } from '@kiki/client';
import { OriginalKikiInstance } from '../../../test/support/kiki-original';
import { cli, useHub } from './support';

describe('an original kiki instance and the kiki CLI through the hub', () => {
  const fx = useHub('kiki-orig-');

  it('see each other\'s public posts', async () => {
    const oscar = generateKeyPair();
    const original = new OriginalKikiInstance(oscar, fx.region.keys);
    // As the original writes them: its name, a post, with the legacy fields it sends on the wire.
    for (const [purpose, content] of [['action-assign/name', 'Oscar'], ['share-text', '<p>hello from the <em>original</em></p>']] as const) {
      const env = seal({ purpose, content, recipients: [fx.region.publicKey] }, oscar, fx.region.publicKey);
      original.store.set(env.id, { ...env, sender_raw: '', letter: {}, opened: false } as never);
    }
    const peer = `${fx.hub.url}/r/${fx.region.publicKey}`;
    expect((await original.syncWith(peer)).aborted).toBeNull();

    const alice = cli(join(fx.root, 'alice'), { KIKI_REGION_PRIVATE: fx.region.keys.private });
    await alice.ok('init');
    await alice.ok('join', '--hub', fx.hub.url, '--region-public', fx.region.publicKey);
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
    const opener = new Opener([fx.region.keys, oscar]);
    const seen = [...original.store.values()].map((e) => opener.tryOpen(e)?.letter).filter((l) => l?.purpose === 'share-text').map((l) => l!.content);
    expect(seen).toEqual(expect.arrayContaining(['hello from the <b>kiki CLI</b>', '<p>hello from the <em>original</em></p>']));
  });
});
