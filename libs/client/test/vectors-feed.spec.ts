/** The feed person B builds from the 19 envelopes the original kiki program sealed (libs/crypto/test/fixtures/kiki-v1.json). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope, KeyPair } from '@kiki/crypto';
import { describe, expect, it } from 'vitest';
import { Feed, type Identity, MemoryEnvelopeStore, openLetters } from '../src';

interface Vectors {
  region: KeyPair;
  person_a: KeyPair;
  person_b: KeyPair;
  cases: Array<{ envelope: Envelope & Record<string, unknown> }>;
}

const vectors = JSON.parse(readFileSync(join(__dirname, '../../crypto/test/fixtures/kiki-v1.json'), 'utf8')) as Vectors;

async function feedFor(person: KeyPair): Promise<Feed> {
  const store = new MemoryEnvelopeStore();
  const put = await store.put(vectors.cases.map((c) => c.envelope));
  expect(put.invalid).toEqual([]);
  // No friends key in the identity: B learns A's from the share-key letter A sent.
  const identity: Identity = { person, friends: [], regions: [vectors.region] };
  const feed = new Feed(person.public);
  for await (const l of openLetters(store, identity)) feed.add(l);
  return feed;
}

describe('the feed of person B from the original program\'s envelopes', () => {
  it('shows the edited text of the edited post, the reply under it and one like', async () => {
    const feed = await feedFor(vectors.person_b);
    const posts = feed.feed();
    const edited = posts.find((p) => p.id === 'CnvnAPBVdyam1wAE9bDuiRs8ZvhxTEr2rc9TdXZJrtx6')!;
    expect(edited).toMatchObject({
      text: 'hello edited world',
      html: '<p>hello edited world</p>',
      author: 'Alice',
      edited: true,
      versions: 2,
      likes: 1,
      likedByMe: true,
      visibility: 'public',
    });
    expect(edited.replies.map((r) => [r.author, r.text, r.replies.length])).toEqual([['you', 'a reply', 0]]);
    // The reply is nested, not repeated at the top.
    expect(posts.filter((p) => p.text === 'a reply')).toEqual([]);
  });

  it('opens the friends-only post with the key A shared, the direct letter, and nothing of A\'s private notes', async () => {
    const feed = await feedFor(vectors.person_b);
    const posts = feed.feed();
    expect(posts.map((p) => [p.author, p.visibility, p.text.split('\n')[0]])).toEqual([
      ['Alice', 'public', '[png image, 70 bytes]'],
      ['Alice', 'friends', 'for friends only'],
      ['Alice', 'direct', 'direct to B'],
      ['Alice', 'public', 'hello edited world'],
      ['you', 'self', 'Welcome to Kiki!'],
    ]);
    expect(feed.following()).toEqual([vectors.person_a.public]);
    expect(feed.followers()).toEqual([vectors.person_a.public]);
    expect(feed.friends()).toEqual([vectors.person_a.public]);
    expect(feed.forged).toBe(0);
  });

  it('A, who is not a recipient of B\'s letters to himself, sees her own side', async () => {
    const posts = (await feedFor(vectors.person_a)).feed();
    expect(posts.map((p) => p.text.split('\n')[0])).toContain('note to self');
    expect(posts.map((p) => p.id)).not.toContain('Cnsb6TszXrrqVSbbeZvq4ngyVqWkTLSnVm7onuMGSsEz');
  });
});
