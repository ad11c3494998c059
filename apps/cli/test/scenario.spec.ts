/**
 * Alice, Bob and Carol through the kiki CLI, a real hub, Postgres and Redis (issue 14): friends and
 * friends keys, a renewed key after an unfollow, edits, deletes, likes, names, avatars, a block,
 * an erase, and the same identity on a second machine.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedPost } from '@kiki/client';
import type { RegionContext } from '../../../apps/hub/src/regions/region.service';
import { startTestHub, type TestHub } from '../../../test/support/hub';
import { EXIT } from '../src/main';
import { type Cli, cli, PNG_1X1 } from './support';

const texts = (posts: FeedPost[]): string[] => posts.map((p) => p.text);
const find = (posts: FeedPost[], text: string) => posts.find((p) => p.text === text);

describe('Alice, Bob and Carol', () => {
  let hub: TestHub;
  let region: RegionContext;
  let root: string;
  let alice: Cli;
  let bob: Cli;
  let carol: Cli;
  const key: Record<string, string> = {};

  beforeAll(async () => {
    hub = await startTestHub();
    region = await hub.createRegion();
    root = await fs.mkdtemp(join(tmpdir(), 'kiki-abc-'));
    const env = { KIKI_REGION_PRIVATE: region.keys.private };
    alice = cli(join(root, 'alice'), env);
    bob = cli(join(root, 'bob'), env);
    carol = cli(join(root, 'carol'), env);
    for (const [name, who] of [['Alice', alice], ['Bob', bob], ['Carol', carol]] as const) {
      key[name] = (await who.json('init')).public;
      await who.ok('join', '--hub', hub.url, '--region-public', region.publicKey);
      await who.ok('name', name);
      await who.ok('sync');
    }
  });
  afterAll(async () => {
    await hub?.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  /** Everyone syncs twice in turn, so that follows, keys and posts have gone all the way round. */
  async function everyoneSyncs(): Promise<void> {
    for (let i = 0; i < 2; i++) for (const who of [alice, bob, carol]) await who.ok('sync');
  }

  it('mutual follows make friends, and a friends-only post reaches Bob and not Carol', async () => {
    await alice.ok('follow', key.Bob);
    await bob.ok('follow', key.Alice);
    await carol.ok('follow', key.Alice); // one way only: Carol is not a friend yet
    await everyoneSyncs();
    expect((await alice.json('friends')).map((p: { key: string }) => p.key)).toEqual([key.Bob]);
    expect((await bob.json('friends')).map((p: { name: string }) => p.name)).toEqual(['Alice']);
    expect(await carol.json('friends')).toEqual([]);
    expect((await alice.json('followers')).map((p: { key: string }) => p.key).sort()).toEqual([key.Bob, key.Carol].sort());

    await alice.ok('post', '--to', 'friends', 'friends only, first');
    await everyoneSyncs();
    expect(texts(await bob.json('feed'))).toContain('friends only, first');
    expect(texts(await carol.json('feed'))).not.toContain('friends only, first');
  });

  it('Carol becomes a friend and opens the older friends-only post', async () => {
    await alice.ok('follow', key.Carol);
    await everyoneSyncs();
    expect((await alice.json('friends')).map((p: { key: string }) => p.key).sort()).toEqual([key.Bob, key.Carol].sort());
    const post = find(await carol.json('feed'), 'friends only, first');
    expect(post).toMatchObject({ author: 'Alice', visibility: 'friends' });
  });

  it('after Alice unfollows Bob, a new friends key goes to Carol only: Bob opens the old post, not the new one', async () => {
    const before = (await alice.json('whoami')).friendsKey;
    await alice.ok('unfollow', key.Bob);
    const synced = await alice.ok('sync');
    expect(synced.out.join('\n')).toMatch(/made a new friends key \(no longer friends: /);
    const after = (await alice.json('whoami')).friendsKey;
    expect(after).not.toBe(before);
    expect((await alice.json('friends')).map((p: { key: string }) => p.key)).toEqual([key.Carol]);

    await alice.ok('post', '--to', 'friends', 'friends only, second');
    await everyoneSyncs();
    const bobs = texts(await bob.json('feed'));
    expect(bobs).toContain('friends only, first');
    expect(bobs).not.toContain('friends only, second');
    const carols = texts(await carol.json('feed'));
    expect(carols).toEqual(expect.arrayContaining(['friends only, first', 'friends only, second']));
    // Bob still follows Alice, so he still counts her as someone he follows, not as a friend.
    expect(await bob.json('friends')).toEqual([]);
  });

  it('edits show the latest version, deletes hide, HTML arrives sanitized, only the author may edit', async () => {
    const post = (await alice.json('post', '<p>Hello <b>world</b><script>steal()</script><img src=x onerror=alert(1)></p>')).id as string;
    await alice.ok('edit', post, '<p>Hello <i>kiki</i></p>');
    const gone = (await alice.json('post', 'this will be deleted')).id as string;
    await alice.ok('delete', gone);
    await everyoneSyncs();

    const feed: FeedPost[] = await bob.json('feed');
    const edited = feed.find((p) => p.id === post)!;
    expect(edited).toMatchObject({ text: 'Hello kiki', html: '<p>Hello <i>kiki</i></p>', edited: true, versions: 2, author: 'Alice' });
    expect(feed.find((p) => p.id === gone)).toBeUndefined();
    const shown = await bob.json('show', post);
    expect(shown.versions.map((v: { text: string }) => v.text)).toEqual(['Hello kiki', 'Hello world']);
    expect(JSON.stringify(shown)).not.toMatch(/script|onerror|steal/);

    const notYours = await bob('edit', post, 'mine now');
    expect(notYours.code).toBe(EXIT.NOT_YOURS);
    expect(notYours.err).toEqual(['error: only the author of a post can edit or delete it']);
    expect((await bob('delete', post)).code).toBe(EXIT.NOT_YOURS);
    key.post = post;
  });

  it('likes count once per person; names and avatars resolve', async () => {
    await bob.ok('like', key.post);
    expect((await bob.ok('like', key.post)).out).toEqual(['you already like it']);
    await carol.ok('like', key.post);
    await alice.ok('avatar', await writeFile(root, 'me.png', PNG_1X1));
    await everyoneSyncs();
    const p = (await alice.json('feed') as FeedPost[]).find((x) => x.id === key.post)!;
    expect(p).toMatchObject({ likes: 2, likedByMe: false, author: 'you' });
    const following = await carol.json('following');
    expect(following).toEqual([{ key: key.Alice, name: 'Alice', avatar: { id: expect.any(String), mime: 'png', bytes: PNG_1X1.length } }]);
    const bobsView = (await bob.json('feed') as FeedPost[]).find((x) => x.id === key.post)!;
    expect(bobsView.likedByMe).toBe(true);
  });

  it('a block hides everything of that person, replies and likes included, and stops storing them', async () => {
    const reply = (await bob.json('reply', key.post, 'a reply from Bob')).id as string;
    await bob.ok('post', 'Bob speaking');
    await everyoneSyncs();
    let feed: FeedPost[] = await carol.json('feed');
    expect(feed.find((x) => x.id === key.post)!.replies.map((r) => r.id)).toEqual([reply]);
    expect(texts(feed)).toContain('Bob speaking');

    const blocked = await carol.json('block', key.Bob);
    expect(blocked.dropped).toBeGreaterThan(0);
    await bob.ok('post', 'Bob after the block');
    await everyoneSyncs();
    feed = await carol.json('feed');
    const post = feed.find((x) => x.id === key.post)!;
    expect(post.replies).toEqual([]);
    expect(post.likes).toBe(1); // Carol's own; Bob's no longer counts
    expect(JSON.stringify(feed)).not.toContain('Bob');
    const status = await carol.json('status');
    expect(status.regions[0].tombstones).toBeGreaterThan(0);
    // Nothing of Bob's is stored on Carol's device any more, even what he sent after the block.
    expect(await carol.json('followers')).toEqual([{ key: key.Alice, name: 'Alice', avatar: expect.any(Object) }]);
  });

  it('the same identity file on a second machine rebuilds the same feed', async () => {
    const second = join(root, 'alice-laptop');
    await fs.mkdir(second, { recursive: true, mode: 0o700 });
    await fs.copyFile(join(root, 'alice', 'identity.json'), join(second, 'identity.json'));
    await fs.chmod(join(second, 'identity.json'), 0o600);
    const laptop = cli(second);
    await laptop.ok('sync');
    const onLaptop = await laptop.json('feed');
    expect(onLaptop.length).toBeGreaterThan(3);
    expect(onLaptop).toEqual(await alice.json('feed'));
  });

  it('bad input is refused with one line, a stable code, and nothing sealed', async () => {
    await alice.ok('post', 'said once');
    const before = (await alice.json('status')).regions[0].envelopes;
    const cases: Array<[string[], number]> = [
      [['post', 'said once'], EXIT.INVALID_INPUT], // the same letter again: the same id
      [['follow', 'not-a-key'], EXIT.INVALID_INPUT],
      [['like', '5J1C1aXcJZtoTLDb5a4ZKnqBJfxDz6nb6D2Nzru5Wg3B'], EXIT.NOT_FOUND],
      [['avatar', await writeFile(root, 'not-an-image.png', Buffer.from('hello'))], EXIT.INVALID_INPUT],
      [['avatar', join(root, 'missing.png')], EXIT.INVALID_INPUT],
      [['post', '--to', 'nobody', 'x'], EXIT.INVALID_INPUT],
      [['post', '<script>only code</script>'], EXIT.INVALID_INPUT],
      [['name', 'x'.repeat(65)], EXIT.INVALID_INPUT],
      [['erase'], EXIT.USAGE],
      [['reply', 'unknown'], EXIT.USAGE],
      [['follow', key.Alice], EXIT.INVALID_INPUT],
      [['show', 'nothing-like-an-id'], EXIT.NOT_FOUND],
    ];
    for (const [argv, code] of cases) {
      const r = await alice(...argv);
      expect([argv[0], r.code]).toEqual([argv[0], code]);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^error: /);
    }
    expect((await alice.json('status')).regions[0].envelopes).toBe(before);
  });

  it('erase removes Alice from the hub and from Bob\'s feed after his next sync', async () => {
    expect(texts(await bob.json('feed'))).toContain('Hello kiki');
    await alice.ok('erase', '--yes');
    await alice.ok('sync');
    let feed: FeedPost[] = [];
    for (let i = 0; i < 40; i++) {
      await bob.ok('sync');
      feed = await bob.json('feed');
      if (!feed.some((p) => p.sender === key.Alice)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(feed.filter((p) => p.sender === key.Alice)).toEqual([]);
    expect(texts(feed)).toContain('Bob speaking');
    // The hub carried the erase out: of Alice's letters only the erase itself is still served.
    const live = async () =>
      (await hub.app.get(DataSource).query('SELECT count(*)::int AS n FROM envelope WHERE region_id = $1 AND sender = $2 AND removed_reason IS NULL', [region.regionId, key.Alice]))[0].n;
    for (let i = 0; i < 40 && (await live()) !== 1; i++) await new Promise((r) => setTimeout(r, 250));
    expect(await live()).toBe(1);
    await bob.ok('sync');
    const status = await bob.json('status');
    expect(status.regions[0].tombstones).toBeGreaterThan(5);
  });
});

async function writeFile(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await fs.writeFile(path, bytes);
  return path;
}
