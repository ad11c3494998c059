/**
 * The client (libs/client) at scale: feed build from a local LevelDB store, and a first sync
 * (restore) of a whole region from a hub, each measured in its own process for peak RSS.
 * `npm run bench -- client`; sizes with BENCH_CLIENT_FEED_SIZES / BENCH_CLIENT_SYNC_SIZES
 * (comma-separated, default 100000,1000000 and 100000; empty for none). Fixtures are made once and
 * cached (BENCH_CLIENT_CACHE, below).
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { base58Decode, base58Encode, computeId, type Envelope, formatTimestamp, generateKeyPair, type KeyPair, letterToJson, parseTimestamp, type Purpose } from '@kiki/crypto';
import sodium from 'sodium-native';
import { type Identity, LevelEnvelopeStore } from '../libs/client/src';
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

/**
 * The fixtures, made once per size and kept under BENCH_CLIENT_CACHE (default
 * $TMPDIR/kiki-client-bench-cache): sealing a million letters takes minutes on a shared machine,
 * and pushing them through /sync took longer than the measurement itself.
 *   region-<n>.tsv   one envelope a line, as the staging table below takes it (COPY text format)
 *   region-<n>.json  the region and reader keys, and the envelope count (written last: the mark of a whole file)
 *   store-<n>/       a LevelDB store filled with those envelopes (the feed build's input)
 */
const CACHE = process.env.BENCH_CLIENT_CACHE ?? join(tmpdir(), 'kiki-client-bench-cache');

interface Fixture {
  tsv: string;
  region: KeyPair;
  reader: KeyPair;
  envelopes: number;
}

const STAGING_COLUMNS = 'id_hex, id58, seq, ts_ms, "timestamp", sender, signature, recipients, letter_b64, size';

export async function regionFixture(n: number): Promise<Fixture> {
  await fs.mkdir(CACHE, { recursive: true });
  const tsv = join(CACHE, `region-${n}.tsv`);
  const meta = join(CACHE, `region-${n}.json`);
  try {
    const m = JSON.parse(await fs.readFile(meta, 'utf8')) as Omit<Fixture, 'tsv'>;
    return { tsv, ...m };
  } catch {
    // not made yet
  }
  const regionKeys = generateKeyPair();
  const reader = generateKeyPair();
  const out = createWriteStream(tsv);
  const seen = new Set<string>();
  let seq = 0;
  for (const env of region(regionKeys, reader, n)) {
    // Identical letters (a like repeated word for word) are the same envelope: the hub holds it once.
    if (seen.has(env.id)) continue;
    seen.add(env.id);
    seq++;
    const line = [
      Buffer.from(base58Decode(env.id)).toString('hex'),
      env.id,
      seq,
      parseTimestamp(env.timestamp).ms,
      env.timestamp,
      env.sender.public,
      env.signature,
      env.sealed_recipients.join(','),
      env.sealed_letter,
      env.sealed_letter.length,
    ].join('\t');
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await fs.writeFile(meta, JSON.stringify({ region: regionKeys, reader, envelopes: seq }));
  return { tsv, region: regionKeys, reader, envelopes: seq };
}

/** The fixture's envelopes back from its file, as the hub would serve them. */
async function* fixtureEnvelopes(f: Fixture): AsyncGenerator<Envelope> {
  for await (const line of createInterface({ input: createReadStream(f.tsv), crlfDelay: Infinity })) {
    const [, id, , , timestamp, sender, signature, recipients, letter] = line.split('\t');
    yield { id, timestamp, sender: { public: sender }, signature, sealed_recipients: recipients.split(','), sealed_letter: letter };
  }
}

/** A LevelDB store holding the fixture (cached beside it). */
export async function storeFixture(n: number, f: Fixture): Promise<string> {
  const dir = join(CACHE, `store-${n}`);
  const done = join(CACHE, `store-${n}.done`);
  if (await fs.stat(done).then(() => true, () => false)) return dir;
  await fs.rm(dir, { recursive: true, force: true });
  const store = await LevelEnvelopeStore.open(dir, { region: f.region.public });
  let batch: Envelope[] = [];
  for await (const env of fixtureEnvelopes(f)) {
    batch.push(env);
    if (batch.length === 2000) {
      await store.put(batch);
      batch = [];
    }
  }
  await store.put(batch);
  await store.close();
  await fs.writeFile(done, '');
  return dir;
}

/**
 * Loads the fixture into the hub's database the quick way (COPY into a staging table, one INSERT):
 * the hub then serves those rows as it serves pushed ones. Only what pull and reconciliation read
 * is set (no usage rows: nothing is evicted), and the region's counter follows the seqs.
 */
function loadIntoHub(databaseUrl: string, publicKey: string, f: Fixture): Promise<unknown> {
  const sql = [
    `CREATE TEMP TABLE staging (id_hex text, id58 text, seq bigint, ts_ms bigint, "timestamp" text, sender text, signature text, recipients text, letter_b64 text, size int)`,
    `\\copy staging (${STAGING_COLUMNS}) FROM '${f.tsv}'`,
    `INSERT INTO envelope (region_id, id, seq, ts_ms, "timestamp", sender, signature, sealed_recipients, sealed_letter, size)
       SELECT r.region_id, decode(id_hex, 'hex'), seq, ts_ms, "timestamp", sender, signature, string_to_array(recipients, ','), decode(letter_b64, 'base64'), size
       FROM staging, region r WHERE r.public_key = '${publicKey}'`,
    `UPDATE region_seq s SET last_seq = ${f.envelopes} FROM region r WHERE r.region_id = s.region_id AND r.public_key = '${publicKey}'`,
    'ANALYZE envelope',
  ];
  return run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', databaseUrl, ...sql.flatMap((c) => ['-c', c])], { maxBuffer: 1 << 20 });
}

async function worker(args: string[]): Promise<Record<string, number | string>> {
  const { stdout } = await run(process.execPath, [resolve(__dirname, 'client-worker.js'), ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number | string>;
}

function sizes(env: string | undefined, fallback: number[]): number[] {
  // Set but empty: none of that kind (BENCH_CLIENT_FEED_SIZES= runs the sync cases only).
  return env !== undefined ? env.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0) : fallback;
}

export async function runClientBench(): Promise<Array<Record<string, string | number>>> {
  const rows: Array<Record<string, string | number>> = [];
  const root = await fs.mkdtemp(join(tmpdir(), 'kiki-client-bench-'));
  const identityOf = (f: Fixture): Identity => ({ person: f.reader, friends: [], regions: [f.region] });
  try {
    for (const n of sizes(process.env.BENCH_CLIENT_FEED_SIZES, [100_000, 1_000_000])) {
      const t = Date.now();
      const f = await regionFixture(n);
      const dir = await storeFixture(n, f);
      const r = await worker(['feed', dir, JSON.stringify(identityOf(f))]);
      rows.push({ case: `feed build, ${n.toLocaleString('en')} letters generated (${f.envelopes.toLocaleString('en')} envelopes) in the LevelDB store`, ms: Number(r.buildMs) + Number(r.renderMs), 'peak RSS MB': r.peakRssMb, detail: `at the peak ${r.atPeakAnonMb} MB anonymous + ${r.atPeakFileMb} MB mapped files (node and its libraries ~41 MB, LevelDB tables); ${r.letters} letters opened; build ${r.buildMs} ms, render 50 posts ${r.renderMs} ms; fixture ready in ${((Date.now() - t) / 1000).toFixed(0)} s (cached in ${CACHE})` });
    }
    for (const n of sizes(process.env.BENCH_CLIENT_SYNC_SIZES, [100_000])) {
      const f = await regionFixture(n);
      const db = await benchDatabase();
      const env = benchHubEnv(db.url);
      await run(process.execPath, [resolve(__dirname, '../apps/hub/src/cli.js'), 'region', 'import', '--name', `client bench ${n}`, '--public', f.region.public, '--private', f.region.private], { env: { ...process.env, ...env } });
      const loadStarted = Date.now();
      await loadIntoHub(db.url, f.region.public, f);
      const loadS = (Date.now() - loadStarted) / 1000;
      const hub = await startHubProcess(env);
      try {
        const dir = join(root, `restore-${n}`);
        const r = await worker(['restore', dir, JSON.stringify(identityOf(f)), hub.url]);
        const s = Number(r.restoreMs) / 1000;
        rows.push({
          case: `first sync (restore) of ${f.envelopes.toLocaleString('en')} envelopes from a hub, as \`kiki sync\``,
          ms: r.ms,
          'peak RSS MB': r.peakRssMb,
          detail: `at the peak ${r.atPeakAnonMb} MB anonymous + ${r.atPeakFileMb} MB mapped files (node and its libraries ~41 MB, LevelDB tables); ${r.envelopes} of ${f.envelopes} stored; restore ${r.restoreMs} ms: ${Math.round(Number(r.envelopes) / s)} envelopes/s, ${(Number(r.bytes) / 1e6 / s).toFixed(1)} MB/s (${(Number(r.bytes) / 1e6).toFixed(0)} MB), ${r.pages} pull pages, ${r.rounds} reconcile round(s); then the friendships pass (follows, blocks, shared keys) ${Number(r.ms) - Number(r.restoreMs)} ms; hub seeded by COPY in ${loadS.toFixed(0)} s`,
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
