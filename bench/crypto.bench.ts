/**
 * libs/crypto on one core (everything here is synchronous on the main thread): seal, validate,
 * open and parse of a 1 KB public envelope, and base58 of a 32-byte key per candidate library.
 * Standalone: `npx tsc -p tsconfig.build.json && node dist/bench/crypto.bench.js`.
 */
import { base58 as scureBase58 } from '@scure/base';
import bs58 from 'bs58';
import { cpus, loadavg } from 'node:os';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  base58Decode,
  base58Encode,
  type Envelope,
  generateKeyPair,
  type KeyPair,
  letterToJson,
  MAX_LETTER_BYTES,
  Opener,
  parseEnvelope,
  RegionValidator,
  seal,
  verifyEnvelopeV2,
} from '../libs/crypto/src';
import { inflateRawText } from '../libs/crypto/src/inflate';

type Row = Record<string, string | number>;

const WARMUP_MS = 250;
const RUN_MS = 1000;

interface Rate {
  /** Operations per second of elapsed time. */
  wall: number;
  /** Operations per second of process CPU time: robust when other work shares the machine. */
  cpu: number;
}

/** Runs `fn` in batches for ~RUN_MS after a warm-up; rates by elapsed time and by CPU time. */
function measure(fn: (i: number) => unknown): Rate {
  let sink: unknown;
  let i = 0;
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) for (let k = 0; k < 64; k++) sink = fn(i++);
  let ops = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let now = start;
  while (now - start < RUN_MS) {
    for (let k = 0; k < 64; k++) sink = fn(i++);
    ops += 64;
    now = performance.now();
  }
  const cpu = process.cpuUsage(cpu0);
  if (sink === Symbol.for('never')) console.log(sink); // keeps `sink` observable so no call is elided
  return { wall: ops / ((now - start) / 1000), cpu: ops / ((cpu.user + cpu.system) / 1e6) };
}

function row(name: string, rate: Rate, note = ''): Row {
  return {
    case: name,
    'ops/s': Math.round(rate.wall),
    'ops/s CPU': Math.round(rate.cpu),
    'µs CPU/op': Number((1e6 / rate.cpu).toFixed(2)),
    note,
  };
}

/** A ~1 KB HTML post, the size the hub sees most. */
function content1k(seed: number): string {
  const words = ['kiki', 'region', 'letter', 'friends', 'public', 'hello', 'world', 'sealed', 'carrier', 'edit'];
  let s = '<p>';
  for (let i = 0; s.length < 1020; i++) s += `${words[(i * 7 + seed) % words.length]}${i % 11 === 0 ? '. ' : ' '}`;
  return `${s.slice(0, 1020)}</p>`;
}

export async function runCryptoBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const region = generateKeyPair();
  const senders: KeyPair[] = Array.from({ length: 32 }, () => generateKeyPair());
  const pool: Envelope[] = [];
  for (let i = 0; i < 256; i++) {
    const s = senders[i % senders.length];
    pool.push(seal({ purpose: 'share-text', content: content1k(i), recipients: [region.public] }, s, region.public));
  }
  const texts = pool.map((e) => JSON.stringify(e));
  const mask = pool.length - 1;

  rows.push(
    row(
      'seal (1 KB public letter)',
      measure((i) => seal({ purpose: 'share-text', content: content1k(i), recipients: [region.public] }, senders[i & 31], region.public)),
      'keypair check + 2 X25519 + deflate level 9',
    ),
  );

  // Hot path: 32 senders cycling through warm shared-key caches (the default 4096 entries).
  const validator = new RegionValidator(region);
  const opener = new Opener([region]);
  rows.push(row('validate (cached shared key)', measure((i) => validator.validate(pool[i & mask]))));
  rows.push(row('open (cached shared key)', measure((i) => opener.open(pool[i & mask])), 'includes inflate, JSON, id check'));
  rows.push(
    row(
      'validate+open (cached), target ≥ 20,000/s',
      measure((i) => {
        const env = pool[i & mask];
        validator.validate(env);
        return opener.open(env);
      }),
    ),
  );
  rows.push(
    row(
      'parse+validate+open (cached)',
      measure((i) => {
        const env = parseEnvelope(texts[i & mask]);
        validator.validate(env);
        return opener.open(env);
      }),
      'what the hub does per public envelope',
    ),
  );

  // Cold path: a cache of one entry and 32 alternating senders, so every call pays X25519.
  const coldValidator = new RegionValidator(region, { cacheSize: 1 });
  const coldOpener = new Opener([region], { cacheSize: 1 });
  rows.push(
    row(
      'validate+open (no cache hit)',
      measure((i) => {
        const env = pool[i & mask];
        coldValidator.validate(env);
        return coldOpener.open(env);
      }),
      '2 X25519 per envelope',
    ),
  );
  rows.push(row('parseEnvelope (1 KB envelope JSON)', measure((i) => parseEnvelope(texts[i & mask]))));

  // Envelope v2 (docs/envelope-v2.md): what a present signature_v2 adds per envelope.
  rows.push(
    row(
      'seal, version v1 (no signature_v2)',
      measure((i) => seal({ purpose: 'share-text', content: content1k(i), recipients: [region.public] }, senders[i & 31], region.public, { version: 'v1' })),
      'compare with seal above (v2 by default)',
    ),
  );
  const parsed = texts.map((t) => parseEnvelope(t));
  rows.push(row('verifyEnvelopeV2 (1 KB envelope, 32 senders)', measure((i) => verifyEnvelopeV2(parsed[i & mask])), 'canonical bytes + Ed25519 verify'));

  // Inflating a letter: Node's one-shot call builds and closes a zlib stream every time; the
  // library keeps one handle (libs/crypto/src/inflate.ts). Same 256 letters, deflated as sealed.
  const deflated = pool.map((e) => deflateRawSync(Buffer.from(letterToJson({ purpose: 'share-text', to: [e.sender.public, region.public], content: content1k(0), first_id: e.id })), { level: 9 }));
  rows.push(row('inflate 1 KB letter: zlib.inflateRawSync', measure((i) => inflateRawSync(deflated[i & mask]).toString('utf8')), 'a zlib stream per call'));
  rows.push(row('inflate 1 KB letter: kiki inflateRawText', measure((i) => inflateRawText(deflated[i & mask], MAX_LETTER_BYTES)), 'one zlib handle, reset per letter (kept)'));

  // base58 candidates on 32-byte keys (random keys, so lengths vary like real ones).
  const keys = Array.from({ length: 256 }, () => Buffer.from(base58Decode(generateKeyPair().public)));
  const keyTexts = keys.map((k) => base58Encode(k));
  const k = keys.length - 1;
  const candidates: [string, (b: Uint8Array) => string, (s: string) => Uint8Array][] = [
    ['kiki (hand-written)', base58Encode, base58Decode],
    ['bs58 6', (b) => bs58.encode(b), (s) => bs58.decode(s)],
    ['@scure/base 2', (b) => scureBase58.encode(b), (s) => scureBase58.decode(s)],
  ];
  // 72-byte recipient boxes: the other base58 value decoded on every open.
  const boxTexts = Array.from({ length: 256 }, (_, i) => base58Encode(Buffer.concat([keys[i], keys[(i + 1) & k], keys[i].subarray(0, 8)])));
  for (const [name, enc, dec] of candidates) {
    rows.push(row(`base58 encode 32 B: ${name}`, measure((i) => enc(keys[i & k]))));
    rows.push(row(`base58 decode 32 B: ${name}`, measure((i) => dec(keyTexts[i & k]))));
    rows.push(row(`base58 decode 72 B: ${name}`, measure((i) => dec(boxTexts[i & k]))));
  }
  return rows;
}

if (require.main === module) {
  runCryptoBench().then(
    (rows) => {
      const load = loadavg().map((l) => l.toFixed(2)).join(' ');
      console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores (this bench uses one), load ${load}`);
      console.table(rows);
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
