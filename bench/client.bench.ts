/**
 * The client (libs/client) at scale: feed build from a local LevelDB store, and a first sync
 * (restore) of a whole region from a hub, each measured in its own process for peak RSS.
 * `npm run bench -- client`; sizes with BENCH_CLIENT_FEED_SIZES / BENCH_CLIENT_SYNC_SIZES
 * (comma-separated, default 100000,1000000 and 100000).
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { base58Decode, base58Encode, computeId, type Envelope, formatTimestamp, generateKeyPair, type KeyPair, letterToJson, type Purpose } from '@kiki/crypto';
import sodium from 'sodium-native';
import { HubClient, type Identity, LevelEnvelopeStore } from '../libs/client/src';
import { benchDatabase, benchHubEnv, startHubProcess, stopHubProcess } from './support';

const run = promisify(execFile);

/**
 * Seals as @kiki/crypto's seal() does, faster for a million fixtures: each sender reuses one letter
 * key K per recipient list, so the recipient boxes and the v1 signature (a box of the sender's key)
 * are made once per sender, and a letter costs a deflate, a secretbox and a hash. The envelopes are
 * valid kiki v1 (ids checked when opened); only the fixture's speed differs.
 */
class FastSealer {
  private readonly perSender = new Map<string, { signature: string; lists: Map<string, { k: Buffer; boxes: string[] }> }>();

  constructor(private readonly region: KeyPair) {}

  private box(msg: Buffer, to: string, sender: KeyPair): string {
    const nonce = Buffer.alloc(24);
    sodium.randombytes_buf(nonce);
    const c = Buffer.alloc(msg.length + 16);
    sodium.crypto_box_easy(c, msg, nonce, Buffer.from(base58Decode(to)), Buffer.from(base58Decode(sender.private)));
    return base58Encode(Buffer.concat([nonce, c]));
  }

  seal(input: { purpose: Purpose; content: string; recipients: string[]; reply_to?: string; first_id?: string }, sender: KeyPair, now: Date): Envelope {
    let mine = this.perSender.get(sender.public);
    if (!mine) this.perSender.set(sender.public, (mine = { signature: this.box(Buffer.from(sender.public), this.region.public, sender), lists: new Map() }));
    const to = [sender.public, ...input.recipients.filter((r) => r !== sender.public)];
    const listKey = to.join(',');
    let list = mine.lists.get(listKey);
    if (!list) {
      const k = Buffer.alloc(32);
      sodium.randombytes_buf(k);
      mine.lists.set(listKey, (list = { k, boxes: to.map((r) => this.box(k, r, sender)) }));
    }
    const id = computeId(sender.public, input.purpose, input.content, input.first_id ?? '', input.reply_to ?? '', to);
    const json = letterToJson({ purpose: input.purpose, to, content: input.content, first_id: input.first_id || id, reply_to: input.reply_to });
    const compressed = deflateRawSync(Buffer.from(json), { level: 9 });
    const nonce = Buffer.alloc(24);
    sodium.randombytes_buf(nonce);
    const sealed = Buffer.alloc(compressed.length + 16);
    sodium.crypto_secretbox_easy(sealed, compressed, nonce, list.k);
    return {
      id,
      timestamp: formatTimestamp(now),
      sender: { public: sender.public },
      signature: mine.signature,
      sealed_recipients: list.boxes,
      sealed_letter: Buffer.concat([nonce, sealed]).toString('base64'),
    };
  }
}

/**
 * A region's worth of letters as people write them: per 100 letters about 70 public posts, 10
 * replies, 12 likes, 3 edits, 2 follows, 1 name, 2 private letters to the reader; 1,000 senders.
 */
export function* region(regionKeys: KeyPair, reader: KeyPair, count: number): Generator<Envelope> {
  const senders = Array.from({ length: 1000 }, () => generateKeyPair());
  const sealer = new FastSealer(regionKeys);
  const posts: Array<{ id: string; sender: number }> = [];
  const start = Date.now() - 365 * 24 * 3600 * 1000;
  const step = (365 * 24 * 3600 * 1000) / count;
  for (let i = 0; i < count; i++) {
    const s = i % senders.length;
    const sender = senders[s];
    const now = new Date(start + i * step);
    const r = i % 100;
    const target = posts.length ? posts[(i * 7919) % posts.length] : undefined;
    let purpose: Purpose = 'share-text';
    let content = `<p>letter ${i} from person ${s}: ${'lorem ipsum dolor sit amet '.repeat(1 + (i % 4))}</p>`;
    let to = [regionKeys.public];
    let replyTo: string | undefined;
    let firstId: string | undefined;
    if (target && r < 10) replyTo = target.id;
    else if (target && r < 22) {
      purpose = 'action-like';
      content = target.id;
    } else if (target && r < 25 && target.sender === s) firstId = target.id;
    else if (r < 27) {
      purpose = 'action-follow';
      content = senders[(s + 1 + (i % 50)) % senders.length].public;
    } else if (r < 28) {
      purpose = 'action-assign/name';
      content = `Person ${s} (${i})`;
    } else if (r < 30) to = [reader.public];
    const env = sealer.seal({ purpose, content, recipients: to, reply_to: replyTo, first_id: firstId }, sender, now);
    if (purpose === 'share-text' && !replyTo && !firstId && to[0] === regionKeys.public) posts.push({ id: env.id, sender: s });
    yield env;
  }
}

export async function fill(dir: string, regionKeys: KeyPair, reader: KeyPair, count: number): Promise<void> {
  const store = await LevelEnvelopeStore.open(dir, { region: regionKeys.public });
  let batch: Envelope[] = [];
  for (const env of region(regionKeys, reader, count)) {
    batch.push(env);
    if (batch.length === 2000) {
      await store.put(batch);
      batch = [];
    }
  }
  await store.put(batch);
  await store.close();
}

async function worker(args: string[]): Promise<Record<string, number | string>> {
  const { stdout } = await run(process.execPath, [resolve(__dirname, 'client-worker.js'), ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number | string>;
}

function sizes(env: string | undefined, fallback: number[]): number[] {
  return env ? env.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0) : fallback;
}

export async function runClientBench(): Promise<Array<Record<string, string | number>>> {
  const rows: Array<Record<string, string | number>> = [];
  const root = await fs.mkdtemp(join(tmpdir(), 'kiki-client-bench-'));
  const regionKeys = generateKeyPair();
  const reader = generateKeyPair();
  const identity: Identity = { person: reader, friends: [], regions: [regionKeys] };
  try {
    for (const n of sizes(process.env.BENCH_CLIENT_FEED_SIZES, [100_000, 1_000_000])) {
      const dir = join(root, `feed-${n}`);
      const t = Date.now();
      await fill(dir, regionKeys, reader, n);
      const r = await worker(['feed', dir, JSON.stringify(identity)]);
      rows.push({ case: `feed build, ${n.toLocaleString('en')} envelopes in the LevelDB store`, ms: Number(r.buildMs) + Number(r.renderMs), 'peak RSS MB': r.peakRssMb, detail: `at the peak ${r.atPeakAnonMb} MB anonymous + ${r.atPeakFileMb} MB mapped files (node and its libraries ~41 MB, LevelDB tables); ${r.letters} letters opened; build ${r.buildMs} ms, render 50 posts ${r.renderMs} ms; store filled in ${((Date.now() - t) / 1000).toFixed(0)} s` });
      await fs.rm(dir, { recursive: true, force: true });
    }
    for (const n of sizes(process.env.BENCH_CLIENT_SYNC_SIZES, [100_000])) {
      const db = await benchDatabase();
      const env = benchHubEnv(db.url);
      await run(process.execPath, [resolve(__dirname, '../apps/hub/src/cli.js'), 'region', 'import', '--name', `client bench ${n}`, '--public', regionKeys.public, '--private', regionKeys.private], { env: { ...process.env, ...env } });
      const hub = await startHubProcess(env);
      try {
        const pusher = new HubClient(hub.url, regionKeys, reader, { timeoutMs: 120_000 });
        let batch: Envelope[] = [];
        let pushed = 0;
        for (const e of region(regionKeys, reader, n)) {
          batch.push(e);
          if (batch.length === 500) {
            pushed += (await pusher.push(batch)).stored;
            batch = [];
          }
        }
        pushed += (await pusher.push(batch)).stored;
        const dir = join(root, `restore-${n}`);
        const r = await worker(['restore', dir, JSON.stringify(identity), hub.url]);
        const s = Number(r.ms) / 1000;
        rows.push({
          case: `first sync (restore) of ${n.toLocaleString('en')} envelopes from a hub`,
          ms: r.ms,
          'peak RSS MB': r.peakRssMb,
          detail: `at the peak ${r.atPeakAnonMb} MB anonymous + ${r.atPeakFileMb} MB mapped files (node and its libraries ~41 MB, LevelDB tables); ${r.envelopes} of ${pushed} stored; ${Math.round(Number(r.envelopes) / s)} envelopes/s, ${(Number(r.bytes) / 1e6 / s).toFixed(1)} MB/s (${(Number(r.bytes) / 1e6).toFixed(0)} MB), ${r.pages} pull pages, ${r.rounds} reconcile round(s)`,
        });
        await fs.rm(dir, { recursive: true, force: true });
      } finally {
        await stopHubProcess(hub);
        await db.drop();
      }
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
  return rows;
}
