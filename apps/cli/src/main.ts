/**
 * kiki: the command line of the client SDK (@kiki/client). Installed as the `kiki` bin.
 * Human output by default, `--json` for scripts; every failure is one line on stderr and a stable
 * exit code (EXIT below, docs/client.md).
 */
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  AddressError,
  type FeedPost,
  type FriendsReport,
  HubClientError,
  type Identity,
  findOldClient,
  IdentityError,
  initIdentity,
  KikiError,
  type KikiSession,
  loadIdentity,
  migrateOldClient,
  normalizeHubUrl,
  oldClientHome,
  openKiki,
  type PersonInfo,
  type RegionMembership,
  saveIdentity,
  StoreError,
  StoreLockedError,
  SyncError,
  type SyncProgress,
  type SyncReport,
  stripControls,
  tuneHeapForClient,
  withRegion,
} from '@kiki/client';
import { isValidKey, KeyError, keyPairFromPrivate, KikiCryptoError, type KeyPair } from '@kiki/crypto';

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Cancels a running sync (SIGINT in the real process). */
  signal?: AbortSignal;
  /** Progress of a sync, shown on a terminal only (rewrites one line). */
  progress?: (line: string | null) => void;
  /** The device clock (tests). */
  now?: () => Date;
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
  NOT_FOUND: 8,
  NOT_YOURS: 9,
  INTERRUPTED: 130,
} as const;

class UsageError extends Error {}

const USAGE = `usage: kiki [--home DIR] [--identity FILE] [--region KEY] [--json] <command> [arguments]

you
  init [--force]                 make your keys and your friends key (identity file, mode 0600)
  whoami                         your public key, name, regions and friends key
  join --hub URL --region-public KEY [--region-private KEY]
                                 join a region carried by a hub (the private key may also come
                                 from $KIKI_REGION_PRIVATE)
  sync                           send and receive through the hub, then share or renew your
                                 friends key as friendships changed (resumable; Ctrl-C stops)
posting
  post [--to public|friends|self|KEY ...] [--image FILE] [TEXT]
                                 a post (default --to public); HTML is sanitized before sealing
  reply ID [--to ...] TEXT       a reply (by default to the same audience as the post)
  edit ID TEXT                   a new version of your post
  delete ID                      hide your post
  like ID                        like a post (once)
people
  follow KEY | unfollow KEY      mutual follows make friends; an unfollow renews your friends key
  block KEY                      stop storing and showing a person (and renew your friends key)
  name TEXT | profile HTML | avatar FILE.png|FILE.jpg
  friends | following | followers
  erase --yes                    ask every carrier (the hub included) to delete all you published
reading
  feed [--home] [--limit N]      newest first, latest versions, replies nested, likes, names
  show ID                        one post with its replies and versions
  status                         regions, local store and sync state
  migrate [--from DIR]           bring over the old client's identity and stores
                                 (default $KIKI_HUB_CLIENT_HOME or ~/.kiki-hub-client; left as is)

options:
  --home DIR        client directory (default $KIKI_HOME or ~/.kiki)
  --identity FILE   identity file (default DIR/identity.json; data lives beside it)
  --region KEY      the region to use when you joined several
  --json            machine-readable output (one JSON document)`;

interface Parsed {
  command: string | undefined;
  flags: Map<string, string[]>;
  positionals: string[];
}

const VALUE_FLAGS = new Set(['home', 'identity', 'region', 'hub', 'region-public', 'region-private', 'to', 'limit', 'image', 'from']);
const BOOL_FLAGS = new Set(['force', 'json', 'help', 'home-only', 'yes']);

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
      let name = arg.slice(2, eq < 0 ? undefined : eq);
      // `feed --home` is the home feed; `--home DIR` before the command is the client directory.
      if (name === 'home' && command === 'feed' && eq < 0) name = 'home-only';
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
  const ok = new Set(['home', 'identity', 'help', 'json', 'region', ...allowed]);
  for (const name of p.flags.keys()) if (!ok.has(name)) throw new UsageError(`--${name === 'home-only' ? 'home' : name} does not apply to "${p.command}"`);
}

function args(p: Parsed, names: string[], opts: { rest?: boolean } = {}): string[] {
  if (p.positionals.length < names.length || (!opts.rest && p.positionals.length > names.length)) {
    throw new UsageError(`usage: kiki ${p.command} ${names.map((n) => n.toUpperCase()).join(' ')}`);
  }
  if (!opts.rest) return p.positionals;
  return [...p.positionals.slice(0, names.length - 1), p.positionals.slice(names.length - 1).join(' ')];
}

interface Paths {
  identity: string;
  data: string;
}

function paths(p: Parsed, env: CliIo['env']): Paths {
  const home = resolve(one(p, 'home') ?? env.KIKI_HOME ?? join(env.HOME ?? homedir(), '.kiki'));
  const identityFlag = one(p, 'identity');
  // Data sits beside the identity, so one directory holds everything of one person.
  const identity = identityFlag ? resolve(identityFlag) : join(home, 'identity.json');
  const data = identityFlag && !one(p, 'home') ? join(dirname(identity), 'data') : join(home, 'data');
  return { identity, data };
}

const short = (key: string) => `${key.slice(0, 8)}…`;

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
    const command = COMMANDS[p.command];
    if (!command) throw new UsageError(`unknown command "${p.command}"`);
    return await command(p, where, io);
  } catch (err) {
    const [code, message] = describeError(err);
    io.stderr(`error: ${message}`);
    return code;
  }
}

function describeError(err: unknown): [number, string] {
  if (err instanceof UsageError) return [EXIT.USAGE, `${err.message} (see --help)`];
  if (err instanceof IdentityError) return [EXIT.IDENTITY, err.message];
  if (err instanceof StoreLockedError) return [EXIT.STORE, `the local store is in use by another kiki process; wait for it to finish`];
  if (err instanceof StoreError) return [EXIT.STORE, err.message];
  if (err instanceof HubClientError) {
    if (err.code === 'ABORTED') return [EXIT.INTERRUPTED, 'interrupted; run sync again to resume'];
    const unreachable = err.code === 'NETWORK' || err.code === 'TIMEOUT' || err.code === 'UNAVAILABLE';
    return [unreachable ? EXIT.HUB_UNREACHABLE : EXIT.HUB_REFUSED, `hub ${err.code}: ${oneLine(err.message)}`];
  }
  if (err instanceof SyncError) return [err.code === 'ABORTED' ? EXIT.INTERRUPTED : EXIT.FAILURE, err.message];
  if (err instanceof KikiError) {
    const code = err.code === 'NOT_FOUND' ? EXIT.NOT_FOUND : err.code === 'NOT_YOURS' ? EXIT.NOT_YOURS : EXIT.INVALID_INPUT;
    return [code, oneLine(err.message)];
  }
  if (err instanceof AddressError || err instanceof KikiCryptoError) return [EXIT.INVALID_INPUT, oneLine(err.message)];
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return [EXIT.STORE, `permission denied: ${e.path ?? e.message}`];
  return [EXIT.FAILURE, oneLine(e?.message ?? String(err))];
}

function oneLine(s: string): string {
  return stripControls(s).replace(/\s+/g, ' ').trim();
}

async function load(where: Paths, io: CliIo): Promise<Identity> {
  try {
    return await loadIdentity(where.identity, { onWarning: (m) => io.stderr(`warning: ${m}`) });
  } catch (err) {
    // Someone who used the old reference client has their keys there: say how to bring them over.
    const old = oldClientHome(io.env);
    if (err instanceof IdentityError && err.code === 'IDENTITY_MISSING' && (await findOldClient(old))) {
      throw new IdentityError('IDENTITY_MISSING', `no identity at ${where.identity}; the old client's identity is in ${old}: run "kiki migrate" to bring it and its data over (or "init" to start as a new person)`);
    }
    throw err;
  }
}

async function withSession<T>(p: Parsed, where: Paths, io: CliIo, work: (s: KikiSession) => Promise<T>): Promise<T> {
  const session = await openKiki({
    identityPath: where.identity,
    dataDir: where.data,
    region: one(p, 'region'),
    hubOptions: { signal: io.signal },
    onWarning: (m) => io.stderr(`warning: ${m}`),
    now: io.now,
  });
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

function out(p: Parsed, io: CliIo, json: unknown, human: () => string[]): number {
  if (p.flags.has('json')) io.stdout(JSON.stringify(json));
  else for (const line of human()) io.stdout(line);
  return EXIT.OK;
}

type Command = (p: Parsed, where: Paths, io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  async init(p, where, io) {
    allowOnly(p, ['force']);
    args(p, []);
    const identity = await initIdentity(where.identity, { overwrite: p.flags.has('force') });
    return out(p, io, { identity: where.identity, public: identity.person.public, friendsKey: identity.friendsKey?.public }, () => [
      `created ${where.identity} (mode 0600) with your keys and a friends key`,
      `your public key: ${identity.person.public}`,
    ]);
  },

  async whoami(p, where, io) {
    allowOnly(p, []);
    args(p, []);
    const identity = await load(where, io);
    let name: string | undefined;
    if (identity.regions.length > 0) name = await withSession(p, where, io, async (s) => (await s.kiki.person(identity.person.public)).name);
    return out(
      p,
      io,
      { public: identity.person.public, name: name ?? null, friendsKey: identity.friendsKey?.public ?? null, regions: identity.regions.map((r) => ({ public: r.public, hub: r.hub ?? null })) },
      () => [
        `you:          ${identity.person.public}${name ? ` (${name})` : ''}`,
        `friends key:  ${identity.friendsKey?.public ?? 'none yet (made on the next sync)'}`,
        ...(identity.regions.length ? identity.regions.map((r) => `region:       ${r.public} on ${r.hub ?? 'no hub'}`) : ['region:       none (run "join")']),
      ],
    );
  },

  async join(p, where, io) {
    allowOnly(p, ['hub', 'region-public', 'region-private']);
    args(p, []);
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
    return out(p, io, { region: pub, hub }, () => [`joined region ${pub} on ${hub}`]);
  },

  async sync(p, where, io) {
    allowOnly(p, []);
    args(p, []);
    const identity = await load(where, io);
    const chosen = one(p, 'region');
    const regions = chosen ? identity.regions.filter((r) => r.public === chosen) : identity.regions;
    if (chosen && regions.length === 0) throw new IdentityError('IDENTITY_INVALID', `this identity has not joined region ${chosen}`);
    if (regions.length === 0) throw new IdentityError('IDENTITY_INVALID', 'this identity has joined no region yet (run "join" first)');
    let exit: number = EXIT.OK;
    const results: unknown[] = [];
    for (const region of regions) {
      if (!region.hub) {
        io.stderr(`warning: region ${short(region.public)} has no hub (join it again with --hub)`);
        continue;
      }
      try {
        const r = await withSession({ ...p, flags: new Map([...p.flags, ['region', [region.public]]]) }, where, io, (s) =>
          s.kiki.sync({ signal: io.signal, onProgress: (pr) => io.progress?.(progressLine(pr)) }),
        );
        io.progress?.(null);
        results.push({ region: region.public, hub: region.hub, sync: r.sync, friends: r.friends, followUp: r.followUp ?? null });
        if (!p.flags.has('json')) {
          io.stdout(`region ${short(region.public)} with ${region.hub}: ${summary(r.sync, r.followUp)}`);
          for (const line of friendsLines(r.friends)) io.stdout(`  ${line}`);
          for (const x of r.sync.rejected) io.stdout(`  rejected ${x.id ?? '?'}: ${x.code}${x.reason ? ` (${oneLine(x.reason)})` : ''}`);
          for (const x of r.sync.invalid) io.stdout(`  invalid from hub ${x.id ?? '?'}: ${oneLine(x.reason)}`);
        }
      } catch (err) {
        io.progress?.(null);
        const [code, message] = describeError(err);
        io.stderr(`error: region ${short(region.public)}: ${message}`);
        if (exit === EXIT.OK) exit = code;
        if (code === EXIT.INTERRUPTED) return code;
      }
    }
    if (p.flags.has('json')) io.stdout(JSON.stringify(results));
    return exit;
  },

  async post(p, where, io) {
    allowOnly(p, ['to', 'image']);
    const to = targets(p);
    const image = one(p, 'image');
    const text = p.positionals.join(' ');
    if (!image && !text) throw new UsageError('post needs TEXT (or --image FILE)');
    if (image && text) throw new UsageError('post takes TEXT or --image FILE, not both');
    return withSession(p, where, io, async (s) => {
      const env = image ? await s.kiki.postImage(await readImage(image), { to }) : await s.kiki.post(text, { to });
      return sealed(p, io, env.id, 'post');
    });
  },

  async reply(p, where, io) {
    allowOnly(p, ['to']);
    const [id, text] = args(p, ['id', 'text'], { rest: true });
    return withSession(p, where, io, async (s) => sealed(p, io, (await s.kiki.reply(id, text, { to: p.flags.has('to') ? targets(p) : undefined })).id, 'reply'));
  },

  async edit(p, where, io) {
    allowOnly(p, []);
    const [id, text] = args(p, ['id', 'text'], { rest: true });
    return withSession(p, where, io, async (s) => sealed(p, io, (await s.kiki.edit(id, text)).id, 'edit'));
  },

  async delete(p, where, io) {
    allowOnly(p, []);
    const [id] = args(p, ['id']);
    return withSession(p, where, io, async (s) => sealed(p, io, (await s.kiki.delete(id)).id, 'deletion'));
  },

  async like(p, where, io) {
    allowOnly(p, []);
    const [id] = args(p, ['id']);
    return withSession(p, where, io, async (s) => {
      const env = await s.kiki.like(id);
      return env ? sealed(p, io, env.id, 'like') : out(p, io, { id: null, already: true }, () => ['you already like it']);
    });
  },

  async follow(p, where, io) {
    allowOnly(p, []);
    const [key] = args(p, ['key']);
    return withSession(p, where, io, async (s) => {
      const env = await s.kiki.follow(key);
      return env ? sealed(p, io, env.id, 'follow') : out(p, io, { id: null, already: true }, () => ['you already follow them']);
    });
  },

  async unfollow(p, where, io) {
    allowOnly(p, []);
    const [key] = args(p, ['key']);
    return withSession(p, where, io, async (s) => {
      const env = await s.kiki.unfollow(key);
      return env ? sealed(p, io, env.id, 'unfollow') : out(p, io, { id: null, already: true }, () => ['you do not follow them']);
    });
  },

  async block(p, where, io) {
    allowOnly(p, []);
    const [key] = args(p, ['key']);
    return withSession(p, where, io, async (s) => {
      const r = await s.kiki.block(key);
      return out(p, io, { id: r.envelope?.id ?? null, dropped: r.dropped, friends: r.friends }, () => [
        r.envelope ? `sealed block ${r.envelope.id}; run "sync" to send it` : 'already blocked',
        `dropped ${r.dropped} letter(s) of theirs from this device`,
        ...friendsLines(r.friends),
      ]);
    });
  },

  async name(p, where, io) {
    allowOnly(p, []);
    const [name] = args(p, ['name'], { rest: true });
    return withSession(p, where, io, async (s) => sealed(p, io, (await s.kiki.setName(name)).id, 'name'));
  },

  async profile(p, where, io) {
    allowOnly(p, []);
    const [html] = args(p, ['html'], { rest: true });
    return withSession(p, where, io, async (s) => sealed(p, io, (await s.kiki.setProfile(html)).id, 'profile'));
  },

  async avatar(p, where, io) {
    allowOnly(p, []);
    const [file] = args(p, ['file']);
    const bytes = await readImage(file);
    return withSession(p, where, io, async (s) => {
      const r = await s.kiki.setAvatar(bytes);
      return out(p, io, { image: r.image.id, assign: r.assign.id }, () => [`sealed image ${r.image.id} and made it your avatar (${r.assign.id}); run "sync" to send them`]);
    });
  },

  async erase(p, where, io) {
    allowOnly(p, ['yes']);
    args(p, []);
    if (!p.flags.has('yes')) throw new UsageError('erase deletes everything you published, everywhere; confirm with --yes');
    return withSession(p, where, io, async (s) => {
      const r = await s.kiki.erase();
      return out(p, io, { id: r.envelope.id, dropped: r.dropped }, () => [
        `sealed erase ${r.envelope.id}; dropped ${r.dropped} letter(s) of yours from this device`,
        'run "sync" to send it: the hub then deletes everything of yours, and other devices when they sync',
      ]);
    });
  },

  async feed(p, where, io) {
    allowOnly(p, ['home-only', 'limit']);
    args(p, []);
    const limitArg = one(p, 'limit');
    const limit = limitArg === undefined ? 50 : Number(limitArg);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
    return withSession(p, where, io, async (s) => {
      const posts = await s.kiki.feed({ home: p.flags.has('home-only'), limit });
      return out(p, io, posts, () => (posts.length ? posts.flatMap((post) => renderPost(post, 0)) : ['nothing to show yet (run "sync", follow people)']));
    });
  },

  async show(p, where, io) {
    allowOnly(p, []);
    const [id] = args(p, ['id']);
    return withSession(p, where, io, async (s) => {
      const detail = await s.kiki.show(id);
      if (!detail) throw new KikiError('NOT_FOUND', `no post ${id.slice(0, 60)} is held, or it was deleted (run sync?)`);
      return out(p, io, detail, () => [
        ...renderPost(detail.post, 0),
        `versions (${detail.versions.length}):`,
        ...detail.versions.map((v) => `  ${v.timestamp.slice(0, 19).replace('T', ' ')}Z  ${v.id}  ${v.deleted ? '[deleted]' : oneLine(v.text).slice(0, 100)}`),
      ]);
    });
  },

  friends: (p, where, io) => people(p, where, io, 'friends'),
  following: (p, where, io) => people(p, where, io, 'following'),
  followers: (p, where, io) => people(p, where, io, 'followers'),

  async status(p, where, io) {
    allowOnly(p, []);
    args(p, []);
    const identity = await load(where, io);
    const lines = [`identity: ${where.identity}`, `person:   ${identity.person.public}`, `friends keys held: ${(identity.friendsKey ? 1 : 0) + (identity.friends?.length ?? 0)}`];
    const regions: unknown[] = [];
    if (identity.regions.length === 0) lines.push('regions:  none (run "join")');
    for (const r of identity.regions) {
      await withSession({ ...p, flags: new Map([...p.flags, ['region', [r.public]]]) }, where, io, async (s) => {
        const counts = await s.store.count();
        const state = r.hub ? await s.store.loadSyncState(r.hub, r.public) : null;
        regions.push({ region: r.public, hub: r.hub ?? null, ...counts, lastSyncAt: state?.lastSyncAt ?? null, cursor: state?.cursor ?? null });
        lines.push(`region ${r.public}`, `  hub:        ${r.hub ?? 'none'}`, `  envelopes:  ${counts.envelopes} held, ${counts.tombstones} removed`, `  last sync:  ${state?.lastSyncAt ?? 'never'}${state?.cursor ? ` (cursor ${state.cursor})` : ''}`);
      });
    }
    return out(p, io, { identity: where.identity, public: identity.person.public, regions }, () => lines);
  },

  async migrate(p, where, io) {
    allowOnly(p, ['from']);
    args(p, []);
    const from = resolve(one(p, 'from') ?? oldClientHome(io.env));
    const r = await migrateOldClient({ from, identityPath: where.identity, dataDir: where.data });
    return out(p, io, r, () => [
      r.identityCopied ? `copied the identity of ${from} to ${where.identity}` : `${where.identity} already holds this person; data only`,
      ...r.regions.map((x) => `region ${short(x.region)}: ${x.skipped ?? `${x.envelopes} envelope(s), ${x.tombstones} removal(s), ${x.syncStates} sync cursor(s) copied`}`),
      `${from} was left as it was; remove it once "kiki feed" shows what you expect`,
    ]);
  },
};

function targets(p: Parsed): string[] {
  const to = (p.flags.get('to') ?? ['public']).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  if (to.length === 0) throw new UsageError('--to needs public, friends, self or a public key');
  return to;
}

async function readImage(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (err) {
    throw new KikiError('INVALID_INPUT', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function sealed(p: Parsed, io: CliIo, id: string, what: string): number {
  return out(p, io, { id }, () => [`sealed ${what} ${id}; run "sync" to send it`]);
}

async function people(p: Parsed, where: Paths, io: CliIo, which: 'friends' | 'following' | 'followers'): Promise<number> {
  allowOnly(p, []);
  args(p, []);
  return withSession(p, where, io, async (s) => {
    const list: PersonInfo[] = await s.kiki[which]();
    return out(p, io, list, () => (list.length ? list.map((x) => `${x.key}${x.name ? `  ${oneLine(x.name)}` : ''}`) : [`no ${which} yet`]));
  });
}

function renderPost(post: FeedPost, depth: number): string[] {
  const pad = '    '.repeat(depth);
  const flags = [post.visibility, ...(post.edited ? ['edited'] : []), ...(post.likes ? [`${post.likes} like${post.likes === 1 ? '' : 's'}`] : []), ...(post.replyTo ? [`reply to ${short(post.replyTo)}`] : [])];
  const lines = [`${pad}${depth ? '↳ ' : ''}${oneLine(post.author)}  ${post.createdAt.slice(0, 19).replace('T', ' ')}Z  [${flags.join(', ')}]  ${post.id}`];
  for (const line of post.text.split('\n')) lines.push(`${pad}    ${line}`);
  for (const r of post.replies) lines.push(...renderPost(r, depth + 1));
  if (post.hiddenDeepReplies) lines.push(`${pad}    (${post.hiddenDeepReplies} deeper repl${post.hiddenDeepReplies === 1 ? 'y' : 'ies'} not shown)`);
  return lines;
}

function summary(r: SyncReport, followUp?: SyncReport): string {
  const pushed = r.pushed + (followUp?.pushed ?? 0);
  const parts = [`${r.mode}`, `pulled ${r.pulled}`, `fetched ${r.fetched}`, `pushed ${pushed}`, `${r.rounds} reconcile round${r.rounds === 1 ? '' : 's'} (${r.reconcileBytesSent} B sent, ${r.reconcileBytesReceived} B received)`];
  if (r.rejected.length) parts.push(`rejected ${r.rejected.length}`);
  if (r.tombstones) parts.push(`${r.tombstones} removed by the hub`);
  if (r.refused) parts.push(`${r.refused} from blocked people not stored`);
  if (r.invalid.length) parts.push(`${r.invalid.length} invalid from the hub`);
  return parts.join(', ');
}

function friendsLines(f: FriendsReport): string[] {
  const lines: string[] = [];
  if (f.rotated) lines.push(`made a new friends key${f.dropped.length ? ` (no longer friends: ${f.dropped.map(short).join(', ')})` : ''}`);
  if (f.shared.length) lines.push(`sent your friends key to ${f.shared.map(short).join(', ')}`);
  return lines;
}

function progressLine(p: SyncProgress): string {
  switch (p.phase) {
    case 'pull':
      return `pulling: page ${p.page}, ${p.pulled} new`;
    case 'reconcile':
      return `reconciling: round ${p.round}, hub lacks ${p.have}, you lack ${p.need}`;
    case 'fetch':
      return `fetching ${bar(p.fetched, p.of)} ${p.fetched}/${p.of}`;
    case 'push':
      return `pushing ${bar(p.pushed, p.of)} ${p.pushed}/${p.of}`;
  }
}

function bar(done: number, of: number): string {
  const width = 24;
  const n = of > 0 ? Math.round((done / of) * width) : width;
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

function processIo(): CliIo {
  const tty = process.stderr.isTTY === true;
  return {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    progress: tty ? (line) => process.stderr.write(line === null ? '\r\u001b[2K' : `\r\u001b[2K${line.slice(0, (process.stderr.columns ?? 80) - 1)}`) : undefined,
  };
}

/** Runs the CLI as the `kiki` program: SIGINT cancels a running sync cleanly, the exit code is set. */
export function run(argv: string[]): void {
  // Before anything is allocated: bounded memory on large stores (libs/client/src/node/heap.ts).
  tuneHeapForClient();
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
