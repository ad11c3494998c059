/**
 * Kiki: everything a person does in one region, as SDK calls. Platform-free: it is given a crypto
 * implementation, a store, a place to keep the identity and (for sync) a transport.
 *
 * Letters are sealed into the local store (offline first); sync() sends them, brings in what is
 * new and then keeps friendships in order: each new friend (mutual follow) is sent the current
 * friends key in a share-key letter, and when someone who holds the current key is no longer a
 * friend (an unfollow on either side, or a block) a NEW friends key is made and sent only to the
 * remaining friends, so the former friend keeps old posts but cannot open new ones.
 */
import type { Envelope, KeyPair, Purpose } from '@kiki/crypto';
import { bytesToBase64 } from './base64';
import type { KikiCrypto } from './crypto';
import { Feed, type FeedOptions, type FeedPost, type PersonInfo, type PostDetail } from './feed';
import { sanitizeHtml } from './html';
import type { Identity, IdentityKeeper, RegionMembership } from './identity';
import { composeLetter, openLetters } from './letters';
import type { EnvelopeStore, Tombstone } from './store';
import { stripControls } from './text';
import { type SyncOptions, type SyncReport, syncRegion } from './sync';
import type { SyncTransport } from './transport';

export type KikiErrorCode = 'NOT_FOUND' | 'NOT_YOURS' | 'INVALID_INPUT' | 'BLOCKED' | 'DUPLICATE';

/** A request that cannot be carried out as asked (nothing was sealed). */
export class KikiError extends Error {
  constructor(
    readonly code: KikiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KikiError';
  }
}

/** Largest image accepted for a post or an avatar (the sealed letter is capped at 384 KiB). */
export const MAX_IMAGE_BYTES = 256 * 1024;
/** Longest name accepted. */
export const MAX_NAME_CHARS = 64;

export interface KikiDeps {
  crypto: KikiCrypto;
  identity: Identity;
  /** Saves identity changes (a new friends key) before any letter depends on them. */
  keeper: IdentityKeeper;
  region: RegionMembership;
  store: EnvelopeStore;
  /** The hub, for sync(). */
  transport?: SyncTransport;
  now?: () => Date;
}

export interface FriendsReport {
  /** people sent the current friends key in this run */
  shared: string[];
  /** a new friends key was made (someone who held the old one is no longer a friend) */
  rotated: boolean;
  /** who held the previous key and is no longer a friend */
  dropped: string[];
}

export interface KikiSyncReport {
  sync: SyncReport;
  friends: FriendsReport;
  /** the second sync that sent the share-key letters, when there were any */
  followUp?: SyncReport;
}

export type PostTarget = 'public' | 'friends' | 'self' | (string & {});

export function detectImage(bytes: Uint8Array): 'png' | 'jpg' | null {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47 && bytes[4] === 0x0d && bytes[5] === 0x0a && bytes[6] === 0x1a && bytes[7] === 0x0a) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  return null;
}

/** The letters friendships are made of: Feed.friends(), blocked() and sharedKeys() read nothing else. */
const PEOPLE_PURPOSES: ReadonlySet<Purpose> = new Set<Purpose>(['action-follow', 'action-block', 'action-erase', 'share-key']);

export class Kiki {
  private identityNow: Identity;
  private feedCache: Feed | null = null;
  /** the letters friendships depend on only (see loadPeople) */
  private peopleCache: Feed | null = null;
  private learnedKeys: KeyPair[] = [];

  constructor(private readonly deps: KikiDeps) {
    this.identityNow = deps.identity;
  }

  get identity(): Identity {
    return this.identityNow;
  }

  get me(): string {
    return this.identityNow.person.public;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Seals and stores one letter. */
  private async seal(purpose: Purpose, content: string, opts: { to?: readonly string[]; replyTo?: string; firstId?: string } = {}): Promise<Envelope> {
    const env = composeLetter(this.deps.crypto, this.identityNow, this.deps.region, content, { purpose, to: opts.to ?? ['public'], replyTo: opts.replyTo, firstId: opts.firstId, now: this.now() });
    const put = await this.deps.store.put([env]);
    if (put.invalid.length) throw new KikiError('INVALID_INPUT', `the letter could not be stored: ${put.invalid[0].reason}`);
    // A kiki id hashes the letter, not the time: the very same letter again is the same envelope.
    if (put.added.length === 0) throw new KikiError('DUPLICATE', 'this letter repeats one you sent before word for word (a kiki id has no nonce), so it would change nothing');
    this.forget();
    return env;
  }

  /**
   * Every letter the person can open, as a Feed (cached until something is sealed or synced).
   * Post contents are not kept: what is shown is opened again from the store (bounded memory).
   */
  async loadFeed(): Promise<Feed> {
    if (this.feedCache) return this.feedCache;
    // Sized once from the store's count: growing a million-letter column by copies costs twice its memory.
    this.feedCache = await this.openInto(new Feed(this.me, { keepContent: false, expectedSize: (await this.deps.store.count()).envelopes }));
    return this.feedCache;
  }

  /** Every letter held that the person can open, into `feed`; the friends keys learned on the way are kept for contents(). */
  private async openInto(feed: Feed): Promise<Feed> {
    const learned: KeyPair[] = [];
    const opts = { regions: [this.deps.region], onKeyLearned: (k: KeyPair) => learned.push(k) };
    for await (const l of openLetters(this.deps.crypto, this.deps.store, this.identityNow, opts)) feed.add(l);
    this.learnedKeys = learned;
    return feed;
  }

  /** Something was sealed, synced or dropped: the feeds are built again when next asked for. */
  private forget(): void {
    this.feedCache = null;
    this.peopleCache = null;
  }

  /**
   * What friendships need (follows, blocks, erases, the keys the person shared): the full feed when
   * it is built, else a Feed of those letters only. After the first sync of a large region (a
   * million letters) this keeps a few thousand letters where the full feed would hold them all.
   */
  private async loadPeople(): Promise<Feed> {
    if (this.feedCache) return this.feedCache;
    if (this.peopleCache) return this.peopleCache;
    this.peopleCache = await this.openInto(new Feed(this.me, { keepContent: false, purposes: PEOPLE_PURPOSES }));
    return this.peopleCache;
  }

  /** Opens the given letters again from the store: their contents, by id. */
  private async contents(ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (ids.length === 0) return out;
    const id = this.identityNow;
    const keys: KeyPair[] = [this.deps.region, ...(id.friendsKey ? [id.friendsKey] : []), ...(id.friends ?? []), ...this.learnedKeys, id.person];
    const opener = this.deps.crypto.opener(keys.map((k) => ({ public: k.public, private: k.private })));
    for (const vid of ids) {
      const env = await this.deps.store.get(vid);
      if (!env) continue;
      try {
        const opened = opener.tryOpen(env);
        if (opened?.idValid) out.set(vid, opened.letter.content ?? '');
      } catch {
        // It opened when the feed was built; a store changed since then just shows nothing.
      }
    }
    return out;
  }

  private checkKey(key: string, what: string): void {
    if (!this.deps.crypto.isValidKey(key)) throw new KikiError('INVALID_INPUT', `${what} is not a base58 public key`);
  }

  /** A post: HTML sanitized before sealing; `to` is public (default), friends, self or public keys. */
  async post(html: string, opts: { to?: readonly PostTarget[] } = {}): Promise<Envelope> {
    const content = sanitizeHtml(html);
    if (!content) throw new KikiError('INVALID_INPUT', 'the post is empty (after removing unsafe HTML)');
    return this.seal('share-text', content, { to: opts.to });
  }

  /** An image post (png or jpg bytes). */
  async postImage(bytes: Uint8Array, opts: { to?: readonly PostTarget[] } = {}): Promise<Envelope> {
    const kind = detectImage(bytes);
    if (!kind) throw new KikiError('INVALID_INPUT', 'the file is neither a PNG nor a JPEG image');
    if (bytes.length > MAX_IMAGE_BYTES) throw new KikiError('INVALID_INPUT', `the image is ${bytes.length} bytes; the limit is ${MAX_IMAGE_BYTES}`);
    return this.seal(`share-image/${kind}`, bytesToBase64(bytes), { to: opts.to });
  }

  /**
   * A reply to a post (by any of its ids). By default it goes where the post went: public to a
   * public post, to your friends for a friends post, else privately to its author.
   */
  async reply(id: string, html: string, opts: { to?: readonly PostTarget[] } = {}): Promise<Envelope> {
    const feed = await this.loadFeed();
    const parent = feed.postVisibility(id);
    if (!parent) throw new KikiError('NOT_FOUND', `no post ${id.slice(0, 60)} is held (run sync?)`);
    const firstId = feed.firstIdOf(id)!;
    const to = opts.to ?? (parent.visibility === 'public' ? ['public'] : parent.visibility === 'friends' && this.identityNow.friendsKey ? ['friends'] : parent.sender === this.me ? ['self'] : [parent.sender]);
    const content = sanitizeHtml(html);
    if (!content) throw new KikiError('INVALID_INPUT', 'the reply is empty (after removing unsafe HTML)');
    return this.seal('share-text', content, { to, replyTo: firstId });
  }

  /** A new version of one of your own posts, sent to the same recipients. */
  async edit(id: string, html: string): Promise<Envelope> {
    const content = sanitizeHtml(html);
    if (!content) throw new KikiError('INVALID_INPUT', 'the new text is empty (use delete to remove a post)');
    return this.newVersion(id, content);
  }

  /** Hides one of your own posts (an edit with empty content). */
  async delete(id: string): Promise<Envelope> {
    return this.newVersion(id, '');
  }

  private async newVersion(id: string, content: string): Promise<Envelope> {
    const feed = await this.loadFeed();
    const original = feed.ownOriginal(id);
    if (!original) {
      const other = feed.postVisibility(id);
      if (other) throw new KikiError('NOT_YOURS', 'only the author of a post can edit or delete it');
      throw new KikiError('NOT_FOUND', `no post of yours with id ${id.slice(0, 60)}`);
    }
    if (original.purpose !== 'share-text') throw new KikiError('INVALID_INPUT', `${original.firstId} is not a text post`);
    return this.seal('share-text', content, { to: original.to.length ? original.to : ['self'], replyTo: original.replyTo, firstId: original.firstId });
  }

  async follow(key: string): Promise<Envelope | null> {
    this.checkKey(key, 'the person to follow');
    if (key === this.me) throw new KikiError('INVALID_INPUT', 'you cannot follow yourself');
    const feed = await this.loadFeed();
    if (feed.isBlocked(key)) throw new KikiError('BLOCKED', 'you blocked this person');
    const prior = feed.followLetter(key);
    if (prior?.active) return null; // already following
    // A kiki id has no nonce: following again after an unfollow is an edit of the first follow letter.
    return this.seal('action-follow', key, { firstId: prior?.firstId });
  }

  /** An edit of the follow letter with empty content (our convention; PROTOCOL.md). */
  async unfollow(key: string): Promise<Envelope | null> {
    this.checkKey(key, 'the person to unfollow');
    const prior = (await this.loadFeed()).followLetter(key);
    if (!prior?.active) return null;
    return this.seal('action-follow', '', { firstId: prior.firstId });
  }

  /** Likes a post (by any of its ids); a second like of the same post changes nothing. */
  async like(id: string): Promise<Envelope | null> {
    const feed = await this.loadFeed();
    const post = feed.postVisibility(id);
    if (!post) throw new KikiError('NOT_FOUND', `no post ${id.slice(0, 60)} is held (run sync?)`);
    if (post.likedByMe) return null;
    return this.seal('action-like', feed.firstIdOf(id)!);
  }

  async setName(name: string): Promise<Envelope> {
    // As the feed shows names (feed.ts plainName): controls and bidi overrides out, whitespace runs one space.
    const clean = stripControls(name).replace(/\s+/g, ' ').trim();
    if (!clean) throw new KikiError('INVALID_INPUT', 'the name is empty');
    if (clean.length > MAX_NAME_CHARS) throw new KikiError('INVALID_INPUT', `a name has at most ${MAX_NAME_CHARS} characters`);
    return this.seal('action-assign/name', clean);
  }

  async setProfile(html: string): Promise<Envelope> {
    const content = sanitizeHtml(html);
    if (!content) throw new KikiError('INVALID_INPUT', 'the profile is empty (after removing unsafe HTML)');
    return this.seal('action-assign/profile', content);
  }

  /** An image letter (public) and the action that makes it your avatar. */
  async setAvatar(bytes: Uint8Array): Promise<{ image: Envelope; assign: Envelope }> {
    const image = await this.postImage(bytes, { to: ['public'] });
    const assign = await this.seal('action-assign/image', image.id);
    return { image, assign };
  }

  /**
   * Blocks a person: a public action-block, their letters dropped from this device (and refused
   * from now on), and a new friends key if they held the current one.
   */
  async block(key: string): Promise<{ envelope: Envelope | null; dropped: number; friends: FriendsReport }> {
    this.checkKey(key, 'the person to block');
    if (key === this.me) throw new KikiError('INVALID_INPUT', 'you cannot block yourself');
    const feed = await this.loadFeed();
    const envelope = feed.isBlocked(key) ? null : await this.seal('action-block', key);
    const dropped = await this.dropSender(key);
    this.forget();
    const friends = await this.maintainFriends();
    return { envelope, dropped, friends };
  }

  private async dropSender(key: string): Promise<number> {
    const tombs: Tombstone[] = [];
    for await (const env of this.deps.store.scan()) {
      if (env.sender.public === key) tombs.push({ id: env.id, reason: 'blocked', tsMs: this.deps.crypto.timestampMs(env.timestamp) });
    }
    return this.deps.store.markTombstones(tombs);
  }

  /**
   * Asks every carrier to delete everything you published (action-erase): your own letters are
   * dropped from this device now, the hub deletes them when the erase reaches it (sync), and other
   * devices when they sync with it.
   */
  async erase(): Promise<{ envelope: Envelope; dropped: number }> {
    const envelope = await this.seal('action-erase', '');
    const tombs: Tombstone[] = [];
    for await (const env of this.deps.store.scan()) {
      if (env.sender.public === this.me && env.id !== envelope.id) tombs.push({ id: env.id, reason: 'erase', tsMs: this.deps.crypto.timestampMs(env.timestamp) });
    }
    const dropped = await this.deps.store.markTombstones(tombs);
    this.forget();
    return { envelope, dropped };
  }

  async feed(opts: FeedOptions = {}): Promise<FeedPost[]> {
    const feed = await this.loadFeed();
    return feed.feed(opts, await this.contents(feed.contentNeeded({ feed: opts })));
  }

  async show(id: string): Promise<PostDetail | null> {
    const feed = await this.loadFeed();
    return feed.show(id, await this.contents(feed.contentNeeded({ show: id })));
  }

  async person(key: string): Promise<PersonInfo> {
    return (await this.loadFeed()).person(key);
  }

  async friends(): Promise<PersonInfo[]> {
    const feed = await this.loadFeed();
    return feed.friends().map((k) => feed.person(k));
  }

  async following(): Promise<PersonInfo[]> {
    const feed = await this.loadFeed();
    return feed.following().map((k) => feed.person(k));
  }

  async followers(): Promise<PersonInfo[]> {
    const feed = await this.loadFeed();
    return feed.followers().map((k) => feed.person(k));
  }

  /**
   * Puts friendships in order (idempotent): rotates the friends key when someone holding it is
   * no longer a friend, then sends the current key to every friend who has not been sent it.
   */
  async maintainFriends(): Promise<FriendsReport> {
    const report: FriendsReport = { shared: [], rotated: false, dropped: [] };
    const feed = await this.loadPeople();
    const friends = new Set(feed.friends());
    if (!this.identityNow.friendsKey) {
      // An identity made before friends keys existed: make one now (kept before anything uses it).
      await this.replaceFriendsKey(this.deps.crypto.generateKeyPair());
      report.rotated = friends.size > 0;
    }
    let current = this.identityNow.friendsKey!;
    const holders = feed.sharedKeys().get(current.public) ?? new Set<string>();
    report.dropped = [...holders].filter((k) => !friends.has(k)).sort();
    if (report.dropped.length > 0) {
      await this.replaceFriendsKey(this.deps.crypto.generateKeyPair());
      current = this.identityNow.friendsKey!;
      report.rotated = true;
    }
    const sentTo = report.rotated ? new Set<string>() : holders;
    for (const friend of [...friends].sort()) {
      if (sentTo.has(friend)) continue;
      await this.seal('share-key', JSON.stringify({ public: current.public, private: current.private }), { to: [friend] });
      report.shared.push(friend);
    }
    return report;
  }

  private async replaceFriendsKey(next: KeyPair): Promise<void> {
    const old = this.identityNow.friendsKey;
    const updated: Identity = { ...this.identityNow, friendsKey: next, friends: [...(this.identityNow.friends ?? []), ...(old ? [old] : [])] };
    // Saved first: a key that letters were sealed to must never be lost in a crash.
    await this.deps.keeper.save(updated);
    this.identityNow = updated;
    this.forget();
  }

  /**
   * Syncs with the hub, puts friendships in order, and sends what that sealed (a second, usually
   * one-round-trip sync). Envelopes of blocked people are not stored.
   */
  async sync(opts: Omit<SyncOptions, 'crypto' | 'refuseSender'> = {}): Promise<KikiSyncReport> {
    const transport = this.deps.transport;
    if (!transport) throw new KikiError('INVALID_INPUT', 'no hub to sync with');
    const blocked = new Set((await this.loadPeople()).blocked());
    const run = () => syncRegion(transport, this.deps.store, { ...opts, crypto: this.deps.crypto, refuseSender: (k) => blocked.has(k) });
    const sync = await run();
    this.forget();
    const friends = await this.maintainFriends();
    const out: KikiSyncReport = { sync, friends };
    if (friends.shared.length > 0) out.followUp = await run();
    return out;
  }
}
