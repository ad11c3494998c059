/** Letters: addressing words resolved on the client, opening with every key held, feed versions, safe text. */
import { generateKeyPair } from '@kiki/crypto';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../src/node/identity';
import { AddressError, composeLetter, latestVersions, openAll, resolveAddresses } from '../src';
import { MemoryEnvelopeStore } from '../src/node/store';
import { htmlToText } from '../src/core/text';

const region = generateKeyPair();
const friendsKey = generateKeyPair();
const alice: Identity = { person: generateKeyPair(), friendsKey, friends: [], regions: [region] };
const bob: Identity = { person: generateKeyPair(), friends: [friendsKey], regions: [region] };
const carol: Identity = { person: generateKeyPair(), friends: [], regions: [region] };
const outsider: Identity = { person: generateKeyPair(), friends: [], regions: [generateKeyPair()] };

describe('letters', () => {
  it('resolves public, self, friends and keys', () => {
    expect(resolveAddresses(['public'], alice, region.public)).toEqual([region.public]);
    expect(resolveAddresses(['self'], alice, region.public)).toEqual([]);
    expect(resolveAddresses(['friends', 'public', 'friends'], alice, region.public)).toEqual([friendsKey.public, region.public]);
    expect(resolveAddresses([carol.person.public], alice, region.public)).toEqual([carol.person.public]);
    expect(() => resolveAddresses(['friends'], carol, region.public)).toThrow(AddressError);
    expect(() => resolveAddresses(['bob'], alice, region.public)).toThrow(/not public, self, friends/);
  });

  it('opens what is addressed to each person, with the key that opened it, newest first', async () => {
    const t = Date.now() - 60_000;
    const pub = composeLetter(alice, region, 'hello region', { now: new Date(t) });
    const self = composeLetter(alice, region, 'note to self', { to: ['self'], now: new Date(t + 1000) });
    const friends = composeLetter(alice, region, 'to friends', { to: ['friends'], now: new Date(t + 2000) });
    const direct = composeLetter(alice, region, 'to carol', { to: [carol.person.public], now: new Date(t + 3000) });
    const reply = composeLetter(bob, region, 'hi back', { replyTo: pub.id, now: new Date(t + 4000) });
    const store = new MemoryEnvelopeStore();
    await store.put([pub, self, friends, direct, reply]);

    const read = async (who: Identity) => (await openAll(store, who)).map((l) => [l.letter.content, l.via]);
    expect(await read(alice)).toEqual([
      ['hi back', 'region'],
      ['to carol', 'self'],
      ['to friends', 'friends'],
      ['note to self', 'self'],
      ['hello region', 'region'],
    ]);
    expect(await read(bob)).toEqual([
      ['hi back', 'region'],
      ['to friends', 'friends'],
      ['hello region', 'region'],
    ]);
    expect(await read(carol)).toEqual([
      ['hi back', 'region'],
      ['to carol', 'self'],
      ['hello region', 'region'],
    ]);
    expect(await read(outsider)).toEqual([]);

    const [first] = await openAll(store, carol);
    expect(first).toMatchObject({ id: reply.id, sender: bob.person.public, timestamp: reply.timestamp, idValid: true });
    expect(first.letter.reply_to).toBe(pub.id);
  });

  it('shows the newest version of a post, hides deleted ones, and scopes edits to the sender', async () => {
    const t = Date.now() - 60_000;
    const post = composeLetter(alice, region, 'v1', { now: new Date(t) });
    const edit = composeLetter(alice, region, 'v2', { firstId: post.id, now: new Date(t + 1000) });
    const gone = composeLetter(alice, region, 'to delete', { now: new Date(t + 2000) });
    const del = composeLetter(alice, region, '', { firstId: gone.id, now: new Date(t + 3000) });
    const hijack = composeLetter(bob, region, 'not yours', { firstId: post.id, now: new Date(t + 4000) });
    const store = new MemoryEnvelopeStore();
    await store.put([post, edit, gone, del, hijack]);
    const feed = latestVersions(await openAll(store, carol));
    expect(feed.map((l) => [l.sender === alice.person.public ? 'alice' : 'bob', l.letter.content, l.edited])).toEqual([
      ['bob', 'not yours', false],
      ['alice', 'v2', true],
    ]);
  });
});

describe('htmlToText', () => {
  it('shows HTML as text and removes terminal control sequences', () => {
    expect(htmlToText('<p>Hello <b>world</b></p><script>alert(1)</script>&lt;3 &amp; &#x1F600;')).toBe('Hello world\n<3 & 😀');
    expect(htmlToText('a<br>b<img src=x onerror=alert(1)>c')).toBe('a\nbc');
    expect(htmlToText('\u001b[2J\u001b]0;pwned\u0007red\u202Etxt.exe')).toBe('[2J]0;pwnedredtxt.exe');
    expect(htmlToText('1 < 2 and <3')).toBe('1 < 2 and <3');
  });
});
