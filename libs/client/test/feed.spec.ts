/** The feed's rules against the original's weaknesses (PROTOCOL.md "Known weaknesses of v1"). */
import { deflateRawSync } from 'node:zlib';
import { computeId, type Envelope, generateKeyPair, type KeyPair, letterToJson, type Purpose } from '@kiki/crypto';
import { describe, expect, it } from 'vitest';
import { rawSeal } from '../../crypto/test/helpers';
import { composeLetter, Feed, type Identity, MAX_REPLY_DEPTH, MemoryEnvelopeStore, openLetters, type ReadLetter } from '../src';

const region = generateKeyPair();
const person = (): Identity => ({ person: generateKeyPair(), friendsKey: generateKeyPair(), friends: [], regions: [region] });
const t0 = Date.parse('2026-11-01T10:00:00Z');
let tick = 0;
const next = () => new Date(t0 + ++tick * 1000);

function letter(who: Identity, content: string, opts: { purpose?: Purpose; to?: string[]; replyTo?: string; firstId?: string } = {}): Envelope {
  return composeLetter(who, region, content, { ...opts, now: next() });
}

/** A public letter sealed with plain libsodium, as the original program seals it (no checks of ours). */
function originalPublicLetter(sender: KeyPair, purpose: Purpose, content: string): Envelope {
  const to = [sender.public, region.public];
  const id = computeId(sender.public, purpose, content, '', '', to);
  const json = letterToJson({ purpose, to, content, first_id: id });
  return { ...rawSeal(deflateRawSync(Buffer.from(json), { level: 9 }), sender, [region], region, id), timestamp: next().toISOString() };
}

async function feedOf(me: Identity, envs: unknown[]): Promise<Feed> {
  const store = new MemoryEnvelopeStore();
  await store.put(envs);
  const feed = new Feed(me.person.public);
  for await (const l of openLetters(store, me)) feed.add(l);
  return feed;
}

describe('feed rules', () => {
  const alice = person();
  const bob = person();
  const carol = person();

  it('edits and deletes count only from the original sender; the newest version wins', async () => {
    const post = letter(alice, 'v1');
    const edit = letter(alice, 'v2', { firstId: post.id });
    const hijack = letter(bob, 'not yours', { firstId: post.id });
    const hijackDelete = letter(bob, '', { firstId: post.id });
    const gone = letter(alice, 'to delete');
    const del = letter(alice, '', { firstId: gone.id });
    const feed = await feedOf(carol, [post, edit, hijack, hijackDelete, gone, del]);
    expect(feed.feed().map((p) => [p.author, p.text, p.versions])).toEqual([[alice.person.public.slice(0, 8) + '…', 'v2', 2]]);
    expect(feed.show(post.id)!.versions.map((v) => v.text)).toEqual(['v2', 'v1']);
    expect(feed.show(gone.id)).toBeNull();
  });

  it('with a limit, the newest posts of many, in order, each with its replies (oldest first)', async () => {
    // Times out of store order, so the newest are found, not just the last added.
    const times = Array.from({ length: 60 }, (_, i) => t0 + ((i * 37) % 60) * 60_000);
    const posts = times.map((t, i) => composeLetter(alice, region, `post ${i}`, { now: new Date(t) }));
    const replies = [0, 1, 2].map((k) => composeLetter(bob, region, `reply ${k}`, { replyTo: posts[7].id, now: new Date(t0 + 3_600_000 + k * 1000) }));
    const feed = await feedOf(carol, [...replies.reverse(), ...posts]);
    const newest = [...posts].sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp) || (b.id < a.id ? -1 : 1)).slice(0, 5);
    const shown = feed.feed({ limit: 5 });
    expect(shown.map((p) => p.id)).toEqual(newest.map((p) => p.id));
    expect(feed.feed().length).toBe(60);
    const withReplies = feed.feed().find((p) => p.id === posts[7].id)!;
    expect(withReplies.replies.map((r) => r.text)).toEqual(['reply 0', 'reply 1', 'reply 2']);
  });

  it('drops letters whose id is not the hash of their content', async () => {
    const real = letter(alice, 'real');
    const other = letter(alice, 'squatter');
    const forged = { ...other, id: real.id };
    const feed = await feedOf(carol, [forged]);
    expect(feed.feed()).toEqual([]);
    expect(feed.forged).toBe(1);
  });

  it('ignores the wire\'s letter/opened fields: what is shown is what opens', async () => {
    const privateToBob = letter(alice, 'for bob only', { to: [bob.person.public] });
    const wire = { ...privateToBob, letter: { purpose: 'share-text', content: 'injected' }, opened: true, sender_raw: '' };
    const feed = await feedOf(carol, [wire]);
    expect(JSON.stringify(feed.feed())).not.toContain('injected');
    expect(feed.feed()).toEqual([]);
    expect((await feedOf(bob, [wire])).feed().map((p) => p.text)).toEqual(['for bob only']);
  });

  it('a public share-key never removes anything, and a malformed one stops nothing', async () => {
    const post = letter(alice, 'still here');
    // Our seal() refuses a public share-key; the original made them: sealed here as it did.
    const leaked = originalPublicLetter(bob.person, 'share-key', JSON.stringify(alice.person));
    const junk = originalPublicLetter(bob.person, 'share-key', '{"public":"nope"');
    const after = letter(alice, 'and this too');
    const feed = await feedOf(carol, [post, leaked, junk, after]);
    expect(feed.feed().map((p) => p.text)).toEqual(['and this too', 'still here']);
  });

  it('likes count distinct likers once, unliked by an empty edit, and never from a blocked person', async () => {
    const post = letter(alice, 'like me');
    const like1 = letter(bob, post.id, { purpose: 'action-like' });
    const like1again = letter(bob, post.id, { purpose: 'action-like', firstId: like1.id });
    const like2 = letter(carol, post.id, { purpose: 'action-like' });
    const me = person();
    const like3 = letter(me, post.id, { purpose: 'action-like' });
    const unlike3 = letter(me, '', { purpose: 'action-like', firstId: like3.id });
    let feed = await feedOf(me, [post, like1, like1again, like2, like3, unlike3]);
    expect(feed.feed()[0]).toMatchObject({ likes: 2, likedByMe: false });
    const block = letter(me, bob.person.public, { purpose: 'action-block' });
    feed = await feedOf(me, [post, like1, like1again, like2, block]);
    expect(feed.feed()[0].likes).toBe(1);
  });

  it('a block also hides the blocked person\'s replies, and what hangs under them', async () => {
    const me = person();
    const post = letter(alice, 'a post');
    const bobsReply = letter(bob, 'bob replies', { replyTo: post.id });
    const underBob = letter(carol, 'carol answers bob', { replyTo: bobsReply.id });
    const carolsReply = letter(carol, 'carol replies', { replyTo: post.id });
    const block = letter(me, bob.person.public, { purpose: 'action-block' });
    const before = await feedOf(me, [post, bobsReply, underBob, carolsReply]);
    expect(before.feed()[0].replies.map((r) => [r.text, r.replies.map((x) => x.text)])).toEqual([
      ['bob replies', ['carol answers bob']],
      ['carol replies', []],
    ]);
    const after = await feedOf(me, [post, bobsReply, underBob, carolsReply, block]);
    expect(after.feed().map((p) => [p.text, p.replies.map((r) => r.text)])).toEqual([['a post', ['carol replies']]]);
    expect(after.blocked()).toEqual([bob.person.public]);
  });

  it('an erase hides what its sender sent before it, names included', async () => {
    const eve = person();
    const name = letter(eve, 'Eve', { purpose: 'action-assign/name' });
    const old = letter(eve, 'before');
    const erase = letter(eve, '', { purpose: 'action-erase' });
    const later = letter(eve, 'after');
    const feed = await feedOf(carol, [name, old, erase, later]);
    expect(feed.feed().map((p) => p.text)).toEqual(['after']);
    expect(feed.person(eve.person.public).name).toBeUndefined();
  });

  it('names are plain text, the latest wins; follows and unfollows make the follow lists', async () => {
    const me = person();
    const n1 = letter(alice, 'Al', { purpose: 'action-assign/name' });
    const n2 = letter(alice, 'Alice\u001b[31m <b>x</b>\u202e', { purpose: 'action-assign/name' });
    const f1 = letter(me, alice.person.public, { purpose: 'action-follow' });
    const f2 = letter(me, bob.person.public, { purpose: 'action-follow' });
    const unf2 = letter(me, '', { purpose: 'action-follow', firstId: f2.id });
    const back = letter(alice, me.person.public, { purpose: 'action-follow' });
    const feed = await feedOf(me, [n1, n2, f1, f2, unf2, back]);
    expect(feed.person(alice.person.public).name).toBe('Alice[31m <b>x</b>');
    expect(feed.following()).toEqual([alice.person.public]);
    expect(feed.friends()).toEqual([alice.person.public]);
  });

  it('a feed kept to the letters friendships are made of gives the same friends, blocks and shared keys, and no posts', async () => {
    const me = person();
    const envs = [
      letter(me, alice.person.public, { purpose: 'action-follow' }),
      letter(alice, me.person.public, { purpose: 'action-follow' }),
      letter(me, bob.person.public, { purpose: 'action-follow' }),
      letter(bob, me.person.public, { purpose: 'action-follow' }),
      letter(me, carol.person.public, { purpose: 'action-block' }),
      letter(me, JSON.stringify(me.friendsKey), { purpose: 'share-key', to: [alice.person.public] }),
      letter(alice, 'a post', {}),
      letter(me, 'Me', { purpose: 'action-assign/name' }),
    ];
    const full = await feedOf(me, envs);
    const store = new MemoryEnvelopeStore();
    await store.put(envs);
    const people = new Feed(me.person.public, { purposes: new Set<Purpose>(['action-follow', 'action-block', 'action-erase', 'share-key']) });
    for await (const l of openLetters(store, me)) people.add(l);
    expect(people.size).toBe(6);
    expect(people.friends()).toEqual(full.friends());
    expect(people.friends()).toHaveLength(2);
    expect(people.blocked()).toEqual([carol.person.public]);
    expect([...people.sharedKeys()]).toEqual([...full.sharedKeys()]);
    expect(people.feed()).toEqual([]);
    expect(full.feed()).toHaveLength(1);
  });
});

describe('reply chains (synthetic letters: valid ids cannot form a cycle)', () => {
  const me = generateKeyPair().public;
  const ids = new Map<string, string>();
  /** a 32-byte base58 id per name */
  const id = (name: string) => ids.get(name) ?? (ids.set(name, generateKeyPair().public), ids.get(name)!);
  const at = (i: number) => new Date(t0 + i * 1000).toISOString();
  const read = (name: string, content: string, replyTo?: string, i = 0): ReadLetter => ({
    id: id(name),
    sender: me,
    timestamp: at(i),
    tsMs: Date.parse(at(i)),
    letter: { purpose: 'share-text', content, first_id: id(name), ...(replyTo ? { reply_to: id(replyTo) } : {}) },
    openedWith: me,
    via: 'region',
    idValid: true,
  });

  it('never shows a cycle and terminates', () => {
    const feed = new Feed(me);
    feed.add(read('a', 'A', 'b', 1));
    feed.add(read('b', 'B', 'a', 2));
    feed.add(read('c', 'C', 'c', 3));
    feed.add(read('root', 'root', undefined, 4));
    expect(feed.feed().map((p) => p.text)).toEqual(['root']);
    expect(feed.show(id('a'))!.post.replies.map((r) => r.text)).toEqual(['B']);
    expect(feed.show(id('a'))!.post.replies[0].replies).toEqual([]);
  });

  it(`nests at most ${MAX_REPLY_DEPTH} deep`, () => {
    const feed = new Feed(me);
    feed.add(read('r0', 'r0', undefined, 0));
    for (let i = 1; i <= MAX_REPLY_DEPTH + 5; i++) feed.add(read(`r${i}`, `r${i}`, `r${i - 1}`, i));
    let post = feed.feed()[0];
    let depth = 0;
    while (post.replies.length) {
      post = post.replies[0];
      depth++;
    }
    expect(depth).toBe(MAX_REPLY_DEPTH);
    expect(post.hiddenDeepReplies).toBe(1);
  });
});
