import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Envelope, generateKeyPair, type KeyPair, open, seal } from '@kiki/crypto';
import { startTestHub, type TestHub } from '../support/hub';
import { people, privatePost, publicPost } from '../support/envelopes';
import { codeOf, gql, type GqlResponse, memberAuth, PAGE, SUBMIT, toInput } from './client';

const ADMIN = `Bearer ${'q'.repeat(40)}`;
let hub: TestHub;
let region: KeyPair;
let other: KeyPair;
const [alice, bob, carol] = people(3);
const posts: Envelope[] = [];

const name = (who: KeyPair, content: string, at: string) =>
  seal({ purpose: 'action-assign/name', content, recipients: [region.public] }, who, region.public, { now: new Date(at) });

async function submit(r: KeyPair, envelopes: Envelope[], who = alice) {
  const res = await gql(hub.url, SUBMIT, { region: r.public, envelopes: envelopes.map(toInput) }, memberAuth(who, r));
  expect(res.errors).toBeUndefined();
  return res.data.submitEnvelopes;
}

beforeAll(async () => {
  hub = await startTestHub({ ADMIN_TOKEN: 'q'.repeat(40), RUN_WORKERS: 'false' });
  region = (await hub.createRegion('queries')).keys;
  other = (await hub.createRegion('other')).keys;
  posts.push(
    publicPost(alice, region, 'a1', new Date('2026-01-01T00:00:00Z')),
    publicPost(bob, region, 'b1', new Date('2026-01-02T00:00:00Z')),
    privatePost(alice, region, carol, 'for carol'),
    publicPost(carol, region, 'c1', new Date('2026-01-03T00:00:00Z')),
    publicPost(alice, region, 'a2', new Date('2026-01-04T00:00:00Z')),
    name(alice, 'Alice', '2026-01-05T00:00:00Z'),
    name(alice, 'Alice L.', '2026-01-06T00:00:00Z'),
  );
  // the older name arrives last: the newest timestamp wins, not the newest arrival
  posts.push(name(alice, 'Al', '2026-01-01T12:00:00Z'));
  expect((await submit(region, posts)).stored).toBe(posts.length);
  await submit(other, [publicPost(bob, other, 'elsewhere')], bob);
});
afterAll(() => hub?.close());

describe('region', () => {
  it('answers a member with the region, its totals and quota policy', async () => {
    const r = await gql(hub.url, `query($k: String!) { region(publicKey: $k) { publicKey name hubPublicKey maxEnvelopeBytes createdAt stats { envelopes bytes people } quotaPolicy { defaultBytes trustedBytes } } }`, { k: region.public }, memberAuth(bob, region));
    expect(r.errors).toBeUndefined();
    expect(r.data.region).toMatchObject({ publicKey: region.public, name: 'queries', stats: { envelopes: posts.length, people: 3 }, quotaPolicy: { defaultBytes: 5000000, trustedBytes: 50000000 } });
    expect(r.data.region.stats.bytes).toBeGreaterThan(0);
  });

  it('lists every region and hub totals for the admin only', async () => {
    const r = await gql(hub.url, `{ regions { publicKey name } hubStats { regions envelopes people bytes } }`, {}, ADMIN);
    expect(r.errors).toBeUndefined();
    expect(r.data.regions.map((x: any) => x.name)).toEqual(['queries', 'other']);
    expect(r.data.hubStats).toMatchObject({ regions: 2, envelopes: posts.length + 1, people: 4 });
    const member = await gql(hub.url, `{ regions { publicKey } }`, {}, memberAuth(alice, region));
    expect(codeOf(member)).toBe('FORBIDDEN');
  });
});

describe('envelopes', () => {
  it('pages in commit order with Relay cursors, and every wire field round-trips', async () => {
    const seen: any[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const r: GqlResponse = await gql(hub.url, PAGE, { region: region.public, first: 3, after }, memberAuth(alice, region));
      expect(r.errors).toBeUndefined();
      const { edges, pageInfo } = r.data.envelopes;
      pages++;
      seen.push(...edges.map((e: any) => e.node));
      expect(pageInfo.hasPreviousPage).toBe(false);
      if (edges.length) expect(pageInfo.endCursor).toBe(edges[edges.length - 1].cursor);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen.map((n) => n.id)).toEqual(posts.map((p) => p.id));
    expect(seen.map((n) => n.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const wire = posts[0];
    const node = seen[0];
    expect(node).toMatchObject({ timestamp: wire.timestamp, sender: { publicKey: alice.public }, signature: wire.signature, sealedRecipients: wire.sealed_recipients, sealedLetter: wire.sealed_letter, size: wire.sealed_letter.length, purpose: 'share-text' });
    expect(seen[2].purpose).toBeNull(); // a private letter: the hub cannot know
    // rebuilt from GraphQL, the envelope opens with libs/crypto
    const rebuilt: Envelope = { id: node.id, timestamp: node.timestamp, sender: { public: node.sender.publicKey }, signature: node.signature, sealed_recipients: node.sealedRecipients, sealed_letter: node.sealedLetter };
    expect(open(rebuilt, [region]).letter.content).toBe('a1');
    expect(open({ ...rebuilt, ...pick(seen[2]) }, [carol]).letter.content).toBe('for carol');
  });

  it('filters by sender and by the envelopes\' own timestamp', async () => {
    const bySender = await gql(hub.url, PAGE, { region: region.public, sender: bob.public }, memberAuth(alice, region));
    expect(bySender.data.envelopes.edges.map((e: any) => e.node.id)).toEqual([posts[1].id]);
    const since = await gql(hub.url, PAGE, { region: region.public, since: '2026-01-04T00:00:00Z' }, memberAuth(alice, region));
    expect(since.data.envelopes.edges.map((e: any) => e.node.id)).toEqual([posts[2].id, posts[4].id, posts[5].id, posts[6].id]); // the private one was sealed today
  });

  it('refuses a cursor it did not make, and a bad sender key, as BAD_USER_INPUT naming the argument', async () => {
    const r = await gql(hub.url, PAGE, { region: region.public, after: 'not-a-cursor' }, memberAuth(alice, region));
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(r.errors?.[0].message).toMatch(/endCursor/);
    const s = await gql(hub.url, PAGE, { region: region.public, sender: 'xyz' }, memberAuth(alice, region));
    expect(s.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_KEY', field: 'sender' });
  });

  it('reads one envelope by id, or null with NOT_FOUND', async () => {
    const q = `query($r: String!, $id: ID!) { envelope(region: $r, id: $id) { id sender { publicKey name } } }`;
    const r = await gql(hub.url, q, { r: region.public, id: posts[3].id }, memberAuth(alice, region));
    expect(r.data.envelope).toEqual({ id: posts[3].id, sender: { publicKey: carol.public, name: null } });
    const missing = await gql(hub.url, q, { r: region.public, id: publicPost(alice, region).id }, memberAuth(alice, region));
    expect(missing.data.envelope).toBeNull();
    expect(missing.errors?.[0]).toMatchObject({ path: ['envelope'], extensions: { code: 'NOT_FOUND', field: 'id' } });
  });
});

describe('persons', () => {
  const PERSON = `query($r: String!, $k: String!) { person(region: $r, publicKey: $k) { publicKey name usage envelopeCount tier limit } }`;

  it('gives a person their latest public name, usage, tier and limit', async () => {
    const r = await gql(hub.url, PERSON, { r: region.public, k: alice.public }, memberAuth(bob, region));
    expect(r.errors).toBeUndefined();
    const quota = [posts[0], posts[2], posts[4]].reduce((s, p) => s + p.sealed_letter.length, 0); // names are exempt
    expect(r.data.person).toEqual({ publicKey: alice.public, name: 'Alice L.', usage: quota, envelopeCount: 6, tier: 'DEFAULT', limit: 5000000 });
    const nobody = await gql(hub.url, PERSON, { r: region.public, k: generateKeyPair().public }, memberAuth(bob, region));
    expect(nobody.data.person).toBeNull();
    expect(codeOf(nobody)).toBe('NOT_FOUND');
  });

  it('pages people by key and by usage with cursors tied to the order', async () => {
    const q = `query($r: String!, $o: PersonOrder, $after: String) { persons(region: $r, orderBy: $o, first: 1, after: $after) { edges { cursor node { publicKey usage } } pageInfo { hasNextPage endCursor } } }`;
    const walk = async (o: string) => {
      const keys: string[] = [];
      let after: string | null = null;
      for (;;) {
        const r: GqlResponse = await gql(hub.url, q, { r: region.public, o, after }, memberAuth(bob, region));
        expect(r.errors).toBeUndefined();
        keys.push(...r.data.persons.edges.map((e: any) => e.node.publicKey));
        if (!r.data.persons.pageInfo.hasNextPage) return { keys, last: r.data.persons.pageInfo.endCursor };
        after = r.data.persons.pageInfo.endCursor;
      }
    };
    expect((await walk('PUBLIC_KEY')).keys).toEqual([alice, bob, carol].map((p) => p.public).sort());
    const byUsage = await walk('USAGE_DESC');
    expect(byUsage.keys[0]).toBe(alice.public); // three letters; bob and carol one each
    expect(new Set(byUsage.keys)).toEqual(new Set([alice, bob, carol].map((p) => p.public)));
    const mixed = await gql(hub.url, q, { r: region.public, o: 'PUBLIC_KEY', after: byUsage.last }, memberAuth(bob, region));
    expect(mixed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('tenant isolation', () => {
  it('a token for one region reads nothing of another, and ids do not cross regions', async () => {
    const cross = await gql(hub.url, PAGE, { region: other.public }, memberAuth(alice, region));
    expect(cross.data.envelopes).toBeNull();
    expect(cross.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(cross.errors?.[0].message).toMatch(/another region|not made with this region/);
    const mine = await gql(hub.url, PAGE, { region: other.public }, memberAuth(bob, other));
    expect(mine.data.envelopes.edges).toHaveLength(1);
    const q = `query($r: String!, $id: ID!) { envelope(region: $r, id: $id) { id } }`;
    const foreign = await gql(hub.url, q, { r: region.public, id: mine.data.envelopes.edges[0].node.id }, memberAuth(alice, region));
    expect(codeOf(foreign)).toBe('NOT_FOUND');
    // one request, two regions: the second is refused, the first still answers
    const both = await gql(hub.url, `query($a: String!, $b: String!) { a: region(publicKey: $a) { name } b: region(publicKey: $b) { name } }`, { a: region.public, b: other.public }, memberAuth(alice, region));
    expect(both.data.a).toEqual({ name: 'queries' });
    expect(both.data.b).toBeNull();
    expect(both.errors?.[0]).toMatchObject({ path: ['b'], extensions: { code: 'UNAUTHENTICATED' } });
  });
});

function pick(node: any): Partial<Envelope> {
  return { id: node.id, timestamp: node.timestamp, sender: { public: node.sender.publicKey }, signature: node.signature, sealed_recipients: node.sealedRecipients, sealed_letter: node.sealedLetter };
}
