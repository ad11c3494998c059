/**
 * kiki hub client CLI: init, join, post, sync, read, status.
 * Runs as `node dist/client/src/cli.js <command>`; every failure is one line on stderr and an exit code.
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isValidKey, KeyError, keyPairFromPrivate, KikiCryptoError, type KeyPair } from '@kiki/crypto';
import {
  AddressError,
  composeLetter,
  FileEnvelopeStore,
  HubClient,
  HubClientError,
  type Identity,
  IdentityError,
  initIdentity,
  latestVersions,
  loadIdentity,
  normalizeHubUrl,
  openAll,
  pickRegion,
  type ReadLetter,
  type RegionMembership,
  saveIdentity,
  StoreError,
  StoreLockedError,
  SyncError,
  type SyncReport,
  syncRegion,
  withRegion,
  htmlToText,
  stripControls,
} from '@kiki/client';

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Cancels a running sync (SIGINT in the real process). */
  signal?: AbortSignal;
}

/** Exit codes, stable for scripts. */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  IDENTITY: 3,
  HUB_REFUSED: 4,
  HUB_UNREACHABLE: 5,
  STORE: 6,
  INVALID_INPUT: 7,
  INTERRUPTED: 130,
} as const;

class UsageError extends Error {}

const USAGE = `usage: kiki-hub-client [--home DIR] [--identity FILE] <command> [options]

commands:
  init [--force]                        create an identity (person keys) with mode 0600
  join --hub URL --region-public KEY [--region-private KEY]
                                        join a region carried by a hub (the private key may
                                        also come from $KIKI_REGION_PRIVATE)
  post [--to public|self|friends|KEY ...] [--reply-to ID] [--edit ID] TEXT
                                        seal a letter into the local store (default --to public)
  sync                                  sync every joined region with its hub
  read [--limit N] [--all-versions] [--json]
                                        print the letters you can open, newest first
  status                                identity, regions, local store and sync state

options:
  --home DIR        client directory (default $KIKI_HUB_CLIENT_HOME or ~/.kiki-hub-client)
  --identity FILE   identity file (default DIR/identity.json; data lives beside it)
  --region KEY      the region to use (post, read, sync) when you joined several`;

interface Parsed {
  command: string | undefined;
  flags: Map<string, string[]>;
  positionals: string[];
}

const VALUE_FLAGS = new Set(['home', 'identity', 'region', 'hub', 'region-public', 'region-private', 'to', 'reply-to', 'edit', 'limit']);
const BOOL_FLAGS = new Set(['force', 'json', 'all-versions', 'help']);

function parseArgs(argv: string[]): Parsed {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (BOOL_FLAGS.has(name)) {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        flags.set(name, ['true']);
        continue;
      }
      if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown option --${name}`);
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, [...(flags.get(name) ?? []), value]);
      continue;
    }
    if (command === undefined) command = arg;
    else positionals.push(arg);
  }
  return { command, flags, positionals };
}

function one(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  if (v && v.length > 1) throw new UsageError(`--${name} may be given once`);
  return v?.[0];
}

function allowOnly(p: Parsed, allowed: string[]): void {
  const ok = new Set(['home', 'identity', 'help', ...allowed]);
  for (const name of p.flags.keys()) if (!ok.has(name)) throw new UsageError(`--${name} does not apply to "${p.command}"`);
}

interface Paths {
  identity: string;
  data: string;
}

function paths(p: Parsed, env: CliIo['env']): Paths {
  const home = resolve(one(p, 'home') ?? env.KIKI_HUB_CLIENT_HOME ?? join(env.HOME ?? homedir(), '.kiki-hub-client'));
  const identityFlag = one(p, 'identity');
  // Data sits beside the identity, so one directory holds everything of one person.
  const identity = identityFlag ? resolve(identityFlag) : join(home, 'identity.json');
  const data = identityFlag && !one(p, 'home') ? join(dirname(identity), 'data') : join(home, 'data');
  return { identity, data };
}

const short = (key: string) => `${key.slice(0, 8)}…`;

function regionDir(data: string, region: string): string {
  return join(data, region);
}

async function openStore(data: string, region: string): Promise<FileEnvelopeStore> {
  return FileEnvelopeStore.open(regionDir(data, region), { region });
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let p: Parsed;
  try {
    p = parseArgs(argv);
  } catch (err) {
    io.stderr(`error: ${(err as Error).message} (see --help)`);
    return EXIT.USAGE;
  }
  if (p.flags.has('help') || p.command === 'help' || p.command === undefined) {
    (p.command === undefined && !p.flags.has('help') ? io.stderr : io.stdout)(USAGE);
    return p.command === undefined && !p.flags.has('help') ? EXIT.USAGE : EXIT.OK;
  }
  try {
    const where = paths(p, io.env);
    switch (p.command) {
      case 'init':
        return await cmdInit(p, where, io);
      case 'join':
        return await cmdJoin(p, where, io);
      case 'post':
        return await cmdPost(p, where, io);
      case 'sync':
        return await cmdSync(p, where, io);
      case 'read':
        return await cmdRead(p, where, io);
      case 'status':
        return await cmdStatus(p, where, io);
      default:
        throw new UsageError(`unknown command "${p.command}"`);
    }
  } catch (err) {
    const [code, message] = describeError(err);
    io.stderr(`error: ${message}`);
    return code;
  }
}

function describeError(err: unknown): [number, string] {
  if (err instanceof UsageError) return [EXIT.USAGE, `${err.message} (see --help)`];
  if (err instanceof IdentityError) return [EXIT.IDENTITY, err.message];
  if (err instanceof StoreLockedError || err instanceof StoreError) return [EXIT.STORE, err.message];
  if (err instanceof HubClientError) {
    if (err.code === 'ABORTED') return [EXIT.INTERRUPTED, 'interrupted; run sync again to resume'];
    const unreachable = err.code === 'NETWORK' || err.code === 'TIMEOUT' || err.code === 'UNAVAILABLE';
    return [unreachable ? EXIT.HUB_UNREACHABLE : EXIT.HUB_REFUSED, `hub ${err.code}: ${oneLine(err.message)}`];
  }
  if (err instanceof SyncError) return [err.code === 'ABORTED' ? EXIT.INTERRUPTED : EXIT.FAILURE, err.message];
  if (err instanceof AddressError || err instanceof KikiCryptoError) return [EXIT.INVALID_INPUT, err.message];
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return [EXIT.STORE, `permission denied: ${e.path ?? e.message}`];
  return [EXIT.FAILURE, oneLine(e?.message ?? String(err))];
}

function oneLine(s: string): string {
  return stripControls(s).replace(/\s+/g, ' ').trim();
}

async function load(where: Paths, io: CliIo): Promise<Identity> {
  return loadIdentity(where.identity, { onWarning: (m) => io.stderr(`warning: ${m}`) });
}

async function cmdInit(p: Parsed, where: Paths, io: CliIo): Promise<number> {
  allowOnly(p, ['force']);
  if (p.positionals.length) throw new UsageError('init takes no arguments');
  const identity = await initIdentity(where.identity, { overwrite: p.flags.has('force') });
  io.stdout(`created ${where.identity} (mode 0600)`);
  io.stdout(`your public key: ${identity.person.public}`);
  return EXIT.OK;
}

async function cmdJoin(p: Parsed, where: Paths, io: CliIo): Promise<number> {
  allowOnly(p, ['hub', 'region-public', 'region-private']);
  if (p.positionals.length) throw new UsageError('join takes no arguments besides its options');
  const hubArg = one(p, 'hub');
  const pub = one(p, 'region-public');
  // From the environment, the secret stays out of shell history and the process list.
  const priv = one(p, 'region-private') ?? io.env.KIKI_REGION_PRIVATE;
  if (!hubArg || !pub || !priv) throw new UsageError('join needs --hub, --region-public and --region-private (or $KIKI_REGION_PRIVATE)');
  const hub = normalizeHubUrl(hubArg, '--hub');
  if (!isValidKey(pub)) throw new UsageError('--region-public is not a base58 32-byte key');
  let region: KeyPair;
  try {
    region = keyPairFromPrivate(priv);
  } catch (err) {
    if (err instanceof KeyError) throw new UsageError('--region-private is not a base58 32-byte key');
    throw err;
  }
  if (region.public !== pub) throw new UsageError('--region-private does not belong to --region-public (check both keys)');
  const identity = await load(where, io);
  const membership: RegionMembership = { ...region, hub };
  await saveIdentity(where.identity, withRegion(identity, membership));
  io.stdout(`joined region ${pub} on ${hub}`);
  return EXIT.OK;
}

async function cmdPost(p: Parsed, where: Paths, io: CliIo): Promise<number> {
  allowOnly(p, ['to', 'reply-to', 'edit', 'region']);
  const text = p.positionals.join(' ');
  if (!text && !p.flags.has('edit')) throw new UsageError('post needs the TEXT of the letter');
  const identity = await load(where, io);
  const region = pickRegion(identity, one(p, 'region'));
  const env = composeLetter(identity, region, text, {
    to: p.flags.get('to') ?? ['public'],
    replyTo: one(p, 'reply-to'),
    firstId: one(p, 'edit'),
  });
  const store = await openStore(where.data, region.public);
  try {
    await store.put([env]);
  } finally {
    await store.close();
  }
  io.stdout(`sealed ${env.id} (${env.sealed_recipients.length} recipient${env.sealed_recipients.length === 1 ? '' : 's'}); run "sync" to send it`);
  return EXIT.OK;
}

function summary(r: SyncReport): string {
  const parts = [
    `${r.mode}`,
    `pulled ${r.pulled}`,
    `fetched ${r.fetched}`,
    `pushed ${r.pushed}`,
    `${r.rounds} reconcile round${r.rounds === 1 ? '' : 's'} (${r.reconcileBytesSent} B sent, ${r.reconcileBytesReceived} B received)`,
  ];
  if (r.rejected.length) parts.push(`rejected ${r.rejected.length}`);
  if (r.tombstones) parts.push(`${r.tombstones} removed by the hub`);
  if (r.invalid.length) parts.push(`${r.invalid.length} invalid from the hub`);
  return parts.join(', ');
}

async function cmdSync(p: Parsed, where: Paths, io: CliIo): Promise<number> {
  allowOnly(p, ['region']);
  if (p.positionals.length) throw new UsageError('sync takes no arguments');
  const identity = await load(where, io);
  const chosen = one(p, 'region');
  const regions = chosen ? [pickRegion(identity, chosen)] : identity.regions;
  if (regions.length === 0) throw new IdentityError('IDENTITY_INVALID', 'this identity has joined no region yet (run "join" first)');
  let exit: number = EXIT.OK;
  for (const region of regions) {
    if (!region.hub) {
      io.stdout(`region ${short(region.public)}: no hub set (join it again with --hub)`);
      continue;
    }
    const store = await openStore(where.data, region.public);
    try {
      const client = new HubClient(region.hub, region, identity.person, { signal: io.signal });
      const report = await syncRegion(client, store, { signal: io.signal });
      io.stdout(`region ${short(region.public)} with ${region.hub}: ${summary(report)}`);
      for (const r of report.rejected) io.stdout(`  rejected ${r.id ?? '?'}: ${r.code}${r.reason ? ` (${oneLine(r.reason)})` : ''}`);
      for (const r of report.invalid) io.stdout(`  invalid from hub ${r.id ?? '?'}: ${oneLine(r.reason)}`);
    } catch (err) {
      const [code, message] = describeError(err);
      io.stderr(`error: region ${short(region.public)}: ${message}`);
      if (exit === EXIT.OK) exit = code;
      if (code === EXIT.INTERRUPTED) return code;
    } finally {
      await store.close();
    }
  }
  return exit;
}

function describeLetter(l: ReadLetter): string {
  const c = l.letter.content ?? '';
  switch (l.letter.purpose) {
    case 'share-text':
      return htmlToText(c);
    case 'share-image/png':
    case 'share-image/jpg':
      return `[${l.letter.purpose.slice(6)}, ${Math.floor((c.length * 3) / 4)} bytes]`;
    case 'share-key': {
      // Never print the private half of a shared key.
      let pub = '?';
      try {
        pub = String((JSON.parse(c) as { public?: unknown }).public ?? '?');
      } catch {
        /* shown as '?' */
      }
      return `[shared a friends key ${stripControls(pub).slice(0, 60)}]`;
    }
    case 'action-follow':
      return `follows ${stripControls(c)}`;
    case 'action-like':
      return `likes ${stripControls(c)}`;
    case 'action-assign/name':
      return `is now called "${oneLine(c).slice(0, 200)}"`;
    case 'action-assign/profile':
      return `profile: ${htmlToText(c)}`;
    case 'action-assign/image':
      return `profile image ${stripControls(c)}`;
    case 'action-block':
      return `blocks ${stripControls(c)}`;
    case 'action-erase':
      return 'erased everything they published';
    default:
      return `[${l.letter.purpose}]`;
  }
}

async function cmdRead(p: Parsed, where: Paths, io: CliIo): Promise<number> {
  allowOnly(p, ['region', 'limit', 'all-versions', 'json']);
  const limitArg = one(p, 'limit');
  const limit = limitArg === undefined ? 50 : Number(limitArg);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
  const identity = await load(where, io);
  const region = pickRegion(identity, one(p, 'region'));
  const store = await openStore(where.data, region.public);
  let letters: ReadLetter[];
  try {
    letters = await openAll(store, identity, { regions: [region] });
  } finally {
    await store.close();
  }
  // The latest name each person gave themselves (public letters only).
  const names = new Map<string, string>();
  for (const l of letters) {
    if (l.letter.purpose === 'action-assign/name' && l.via === 'region' && !names.has(l.sender)) names.set(l.sender, oneLine(l.letter.content ?? '').slice(0, 60));
  }
  const shown = (p.flags.has('all-versions') ? letters : latestVersions(letters)).slice(0, limit);
  if (p.flags.has('json')) {
    for (const l of shown) {
      const letter = l.letter.purpose === 'share-key' ? { ...l.letter, content: describeLetter(l) } : l.letter;
      io.stdout(JSON.stringify({ id: l.id, sender: l.sender, timestamp: l.timestamp, via: l.via, idValid: l.idValid, letter }));
    }
    return EXIT.OK;
  }
  if (shown.length === 0) {
    io.stdout('no letters yet (run "sync")');
    return EXIT.OK;
  }
  for (const l of shown) {
    const who = l.sender === identity.person.public ? 'you' : names.get(l.sender) ? `${names.get(l.sender)} (${short(l.sender)})` : short(l.sender);
    const to = l.via === 'region' ? 'public' : l.via === 'friends' ? 'to friends' : l.sender === identity.person.public ? 'private' : 'to you';
    const flags = [to, ...(l.letter.reply_to ? [`reply to ${short(l.letter.reply_to)}`] : []), ...('edited' in l && l.edited ? ['edited'] : []), ...(l.idValid ? [] : ['ID DOES NOT MATCH'])];
    io.stdout(`${l.timestamp.slice(0, 19).replace('T', ' ')}Z  ${who}  [${flags.join(', ')}]  ${l.id}`);
    for (const line of describeLetter(l).split('\n')) io.stdout(`    ${line}`);
  }
  return EXIT.OK;
}

async function cmdStatus(p: Parsed, where: Paths, io: CliIo): Promise<number> {
  allowOnly(p, []);
  const identity = await load(where, io);
  io.stdout(`identity: ${where.identity}`);
  io.stdout(`person:   ${identity.person.public}`);
  io.stdout(`friends keys: ${identity.friends?.length ?? 0}`);
  if (identity.regions.length === 0) io.stdout('regions:  none (run "join")');
  for (const r of identity.regions) {
    const store = await openStore(where.data, r.public);
    try {
      const counts = await store.count();
      const state = r.hub ? await store.loadSyncState(r.hub, r.public) : null;
      io.stdout(`region ${r.public}`);
      io.stdout(`  hub:        ${r.hub ?? 'none'}`);
      io.stdout(`  envelopes:  ${counts.envelopes} held, ${counts.tombstones} removed by the hub`);
      io.stdout(`  last sync:  ${state?.lastSyncAt ?? 'never'}${state?.cursor ? ` (cursor ${state.cursor})` : ''}`);
      if (store.loadReport.skipped || store.loadReport.truncatedBytes) {
        io.stdout(`  store:      ${store.loadReport.skipped} unreadable record(s) skipped, ${store.loadReport.truncatedBytes} byte(s) of an unfinished write cut`);
      }
    } finally {
      await store.close();
    }
  }
  return EXIT.OK;
}

function processIo(): CliIo {
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  };
}

/** Runs the CLI as the `kiki` program: SIGINT cancels a running sync cleanly, the exit code is set. */
export function run(argv: string[]): void {
  const controller = new AbortController();
  let interrupted = false;
  process.on('SIGINT', () => {
    // First Ctrl-C stops cleanly after saving progress; a second one quits at once.
    if (interrupted) process.exit(EXIT.INTERRUPTED);
    interrupted = true;
    controller.abort();
  });
  main(argv, { ...processIo(), signal: controller.signal }).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`error: ${String(err)}\n`);
      process.exitCode = EXIT.FAILURE;
    },
  );
}

// `node dist/apps/cli/src/main.js …` works as well as the `kiki` bin.
if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) run(process.argv.slice(2));
