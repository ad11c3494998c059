/**
 * The feed: what kiki means to one person, computed from the letters they can open (PROTOCOL.md
 * "Meaning"). Pure and platform-free: feed it ReadLetters (core/letters.ts openLetters) and ask.
 *
 * Rules, and the original's weaknesses they avoid:
 * - a letter whose id is not the hash of its content is dropped (forged or squatted ids);
 * - versions are grouped by first_id and count only when they come from the sender of the
 *   original (id == first_id) and keep its purpose: nobody can edit or delete someone else's post;
 * - the newest version wins; empty content hides the post (an unfollow for a follow letter);
 * - replies nest through reply_to, at most MAX_REPLY_DEPTH deep; a reply cycle has no root and is
 *   never shown; a reply whose parent is hidden (deleted, blocked, erased) is hidden with it;
 * - the person's blocks hide the blocked sender's posts, replies, likes and follows;
 * - an action-erase hides everything its sender sent before it;
 * - received HTML is sanitized before it is shown, and names are plain text.
 *
 * Memory: a million letters must fit in a phone's budget, so letters are kept in columns (typed
 * arrays: 32-byte id, time, sender number, flags) with an open-addressing index on the id bytes,
 * ~60 bytes a letter; strings are kept only where they matter (reply and like targets, the few
 * action contents). Post contents are kept only with `keepContent` (the default); without it the
 * caller loads the contents of what it shows (Kiki does, from the store).
 */
import type { Letter } from '@kiki/crypto';
import { PURPOSES, type Purpose } from '@kiki/crypto/letters';
import { decodeId32, encodeId32 } from './base58';
import { sanitizeHtml, safeText } from './html';
import type { ReadLetter } from './letters';
import { stripControls } from './text';

/** Deepest reply nesting shown; deeper replies are counted, not shown. */
export const MAX_REPLY_DEPTH = 32;
const MAX_NAME = 64;

export type Visibility = 'public' | 'friends' | 'direct' | 'self';

export interface PersonInfo {
  key: string;
  /** latest action-assign/name, as plain text */
  name?: string;
  /** latest action-assign/profile, sanitized, and as text */
  profile?: { html: string; text: string };
  /** latest action-assign/image, resolved to an image letter of the same person when held */
  avatar?: { id: string; mime?: string; bytes?: number };
}

export interface FeedPost {
  /** the post's first id (what reply, like, edit and delete refer to) */
  id: string;
  /** id of the version shown (the newest) */
  versionId: string;
  sender: string;
  /** the sender's name, or a short key */
  author: string;
  /** envelope times (ISO, ms precision) of the original and of the version shown */
  createdAt: string;
  updatedAt: string;
  kind: 'text' | 'image';
  /** sanitized HTML (text posts) */
  html?: string;
  /** plain text (text posts) or a description (images) */
  text: string;
  image?: { mime: string; bytes: number; base64: string };
  visibility: Visibility;
  edited: boolean;
  versions: number;
  likes: number;
  likedByMe: boolean;
  /** set on a reply shown at the top because its parent is not held */
  replyTo?: string;
  replies: FeedPost[];
  /** replies deeper than MAX_REPLY_DEPTH, not shown */
  hiddenDeepReplies: number;
}

export interface FeedOptions {
  /** only people the person follows (and the person) at the top level */
  home?: boolean;
  /** top-level posts returned (default all) */
  limit?: number;
}

export interface PostDetail {
  post: FeedPost;
  versions: Array<{ id: string; timestamp: string; text: string; deleted: boolean }>;
}

/** Contents of versions not kept in memory, by version id (see Feed.contentNeeded). */
export type ContentMap = ReadonlyMap<string, string>;

const P = Object.fromEntries(PURPOSES.map((p, i) => [p, i])) as Record<Purpose, number>;
const VIS: readonly Visibility[] = ['public', 'friends', 'direct', 'self'];
// flags byte: purpose (4 bits) | visibility (2 bits) << 4 | empty content << 6 | original << 7
const EMPTY = 1 << 6;
const ORIGINAL = 1 << 7;

const short = (key: string) => `${key.slice(0, 8)}…`;
const isPostPurpose = (p: number) => p <= 2;
const iso = (ms: number) => {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
};

function plainName(text: string): string {
  return stripControls(text).replace(/\s+/g, ' ').trim().slice(0, MAX_NAME);
}

/** Decoded size of a base64 text. */
function base64Bytes(b64: string): number {
  const len = b64.replace(/\s+/g, '').length;
  return Math.floor((len * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}

/** The k-th largest of ts[i] over i in `of` (1 <= k <= of.length), with a min-heap of k values. */
function kthLargest(of: Int32Array, ts: Float64Array, k: number): number {
  const heap = new Float64Array(k);
  let size = 0;
  const down = (at: number) => {
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) return;
      const c = l + 1 < size && heap[l + 1] < heap[l] ? l + 1 : l;
      if (heap[at] <= heap[c]) return;
      [heap[at], heap[c]] = [heap[c], heap[at]];
      at = c;
    }
  };
  for (let i = 0; i < of.length; i++) {
    const v = ts[of[i]];
    if (size < k) {
      let at = size++;
      heap[at] = v;
      while (at > 0 && heap[(at - 1) >> 1] > heap[at]) {
        const up = (at - 1) >> 1;
        [heap[at], heap[up]] = [heap[up], heap[at]];
        at = up;
      }
    } else if (v > heap[0]) {
      heap[0] = v;
      down(0);
    }
  }
  return heap[0];
}

interface Assign {
  at: number;
  content: string;
}

interface Built {
  /** letter -> newest visible version of its group (originals only; -1 hidden) */
  newest: Int32Array;
  /** letter -> number of versions of its group (originals only) */
  versions: Int32Array;
  /** letter -> original (for every version; -1 when the original is not held or not the sender's) */
  originalOf: Int32Array;
  likes: Int32Array;
  likedByMe: Uint8Array;
  blocked: Set<string>;
  follows: Map<number, Set<string>>;
  /** replies of each original, as one list: those of o are childList[childStart[o] .. childStart[o + 1]) */
  childStart: Int32Array;
  childList: Int32Array;
}

export class Feed {
  private n = 0;
  private cap = 0;
  private ids = new Uint8Array(0);
  private ts = new Float64Array(0);
  private senderOf = new Int32Array(0);
  private flags = new Uint8Array(0);
  /** open addressing on the first 4 id bytes (uniform: ids are SHA-256): slot -> letter + 1 */
  private table = new Int32Array(0);
  private readonly senders: string[] = [];
  private readonly senderIndex = new Map<string, number>();
  /** strings kept only where they matter */
  private readonly editFirstId = new Map<number, string>();
  private readonly replyToOf = new Map<number, string>();
  private readonly actionContent = new Map<number, string>();
  private readonly contentOf = new Map<number, string>();
  /** decoded size of every image letter (avatars are resolved without their contents) */
  private readonly imageBytes = new Map<number, number>();
  private readonly toOf = new Map<number, string[]>();
  /** sender -> newest assign letter per purpose */
  private readonly assigns = new Map<number, Map<number, Assign>>();
  /** sender -> time of their newest erase */
  private readonly erasedAt = new Map<number, number>();
  private readonly scratch = new Uint8Array(32);
  private built: Built | null = null;
  private rootsCache: { built: Built; key: string; roots: Array<{ o: number; orphanOf?: string }> } | null = null;
  private readonly meIndex: number;
  /** letters dropped because their id does not match their content */
  forged = 0;

  constructor(
    readonly me: string,
    private readonly opts: {
      keepContent?: boolean;
      /** letters expected: the columns are sized once, not grown by copies */
      expectedSize?: number;
      /** keep only letters of these purposes (a feed for friendships alone); default all */
      purposes?: ReadonlySet<Purpose>;
    } = {},
  ) {
    this.meIndex = this.senderNumber(me);
    if (opts.expectedSize && opts.expectedSize > 0) this.grow(opts.expectedSize);
  }

  get size(): number {
    return this.n;
  }

  private senderNumber(key: string): number {
    let i = this.senderIndex.get(key);
    if (i === undefined) {
      i = this.senders.length;
      this.senders.push(key);
      this.senderIndex.set(key, i);
    }
    return i;
  }

  private grow(atLeast = 0): void {
    const cap = Math.max(1024, atLeast, Math.ceil(this.cap * 1.5));
    const ids = new Uint8Array(cap * 32);
    ids.set(this.ids);
    const ts = new Float64Array(cap);
    ts.set(this.ts);
    const senderOf = new Int32Array(cap);
    senderOf.set(this.senderOf);
    const flags = new Uint8Array(cap);
    flags.set(this.flags);
    this.ids = ids;
    this.ts = ts;
    this.senderOf = senderOf;
    this.flags = flags;
    this.cap = cap;
    let size = 1;
    while (size < cap * 2) size <<= 1;
    this.table = new Int32Array(size);
    for (let i = 0; i < this.n; i++) this.insertSlot(i);
  }

  private hashAt(bytes: Uint8Array, off: number): number {
    return ((bytes[off] << 24) | (bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3]) >>> 0;
  }

  private insertSlot(i: number): void {
    const mask = this.table.length - 1;
    let s = this.hashAt(this.ids, i * 32) & mask;
    while (this.table[s] !== 0) s = (s + 1) & mask;
    this.table[s] = i + 1;
  }

  /** The letter holding the id whose bytes are bytes[off..off+32], or -1. */
  private findBytes(bytes: Uint8Array, off: number): number {
    if (this.table.length === 0) return -1;
    const mask = this.table.length - 1;
    let s = this.hashAt(bytes, off) & mask;
    for (;;) {
      const v = this.table[s];
      if (v === 0) return -1;
      const base = (v - 1) * 32;
      let same = true;
      for (let k = 0; k < 32; k++) {
        if (this.ids[base + k] !== bytes[off + k]) {
          same = false;
          break;
        }
      }
      if (same) return v - 1;
      s = (s + 1) & mask;
    }
  }

  /** The letter with this id, or -1. */
  private find(id: string | undefined): number {
    if (!id || !decodeId32(id, this.scratch, 0)) return -1;
    return this.findBytes(this.scratch, 0);
  }

  private idOf(i: number): string {
    return encodeId32(this.ids, i * 32);
  }

  private purposeOf(i: number): number {
    return this.flags[i] & 15;
  }

  add(l: ReadLetter): void {
    if (!l.idValid) {
      this.forged++;
      return;
    }
    const letter: Letter = l.letter;
    if (this.opts.purposes && !this.opts.purposes.has(letter.purpose)) return;
    if (!decodeId32(l.id, this.scratch, 0)) return; // an id that is not 32 bytes of base58 cannot be valid
    if (this.findBytes(this.scratch, 0) >= 0) return; // the same letter twice
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.ids.set(this.scratch, i * 32);
    this.insertSlot(i);
    this.built = null;
    const sender = this.senderNumber(l.sender);
    const purpose = P[letter.purpose];
    const content = letter.content ?? '';
    const original = !letter.first_id || letter.first_id === l.id;
    this.ts[i] = l.tsMs;
    this.senderOf[i] = sender;
    this.flags[i] = purpose | (VIS.indexOf(this.visibility(l)) << 4) | (content === '' ? EMPTY : 0) | (original ? ORIGINAL : 0);
    if (!original) this.editFirstId.set(i, letter.first_id!);
    if (letter.reply_to) this.replyToOf.set(i, letter.reply_to);
    // Recipients are kept where they matter: the person's own letters (an edit goes to the same people, key sharing).
    if (sender === this.meIndex && letter.to) this.toOf.set(i, letter.to.filter((k) => k !== l.sender));

    if (letter.purpose === 'action-erase') {
      if (l.tsMs > (this.erasedAt.get(sender) ?? -Infinity)) this.erasedAt.set(sender, l.tsMs);
    } else if (letter.purpose.startsWith('action-assign/')) {
      let mine = this.assigns.get(sender);
      if (!mine) this.assigns.set(sender, (mine = new Map()));
      const prior = mine.get(purpose);
      if (!prior || this.ts[prior.at] < l.tsMs || (this.ts[prior.at] === l.tsMs && this.idOf(prior.at) < l.id)) mine.set(purpose, { at: i, content });
    } else if (isPostPurpose(purpose)) {
      if (this.opts.keepContent !== false && content !== '') this.contentOf.set(i, content);
      if (purpose !== 0) this.imageBytes.set(i, base64Bytes(content));
    } else if (content !== '' && (purpose !== P['share-key'] || sender === this.meIndex)) {
      // follow/like/block targets, and the keys the person shared (others' keys are the keyring's business)
      this.actionContent.set(i, content);
    }
  }

  private visibility(l: ReadLetter): Visibility {
    if (l.via === 'region') return 'public';
    if (l.via === 'friends') return 'friends';
    const to = l.letter.to ?? [];
    return l.sender === this.me && to.length <= 1 ? 'self' : 'direct';
  }

  /** a is newer than b (time, then id) */
  private newer(a: number, b: number): boolean {
    if (this.ts[a] !== this.ts[b]) return this.ts[a] > this.ts[b];
    for (let k = 0; k < 32; k++) {
      const d = this.ids[a * 32 + k] - this.ids[b * 32 + k];
      if (d !== 0) return d > 0;
    }
    return false;
  }

  private build(): Built {
    if (this.built) return this.built;
    const n = this.n;
    const originalOf = new Int32Array(n).fill(-1);
    const newest = new Int32Array(n).fill(-1);
    const versions = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (this.flags[i] & ORIGINAL) {
        originalOf[i] = i;
        newest[i] = i;
        versions[i] = 1;
      }
    }
    for (const [i, firstId] of this.editFirstId) {
      const o = this.find(firstId);
      // Only the original's sender may make versions, and a version cannot change what the letter is.
      if (o < 0 || !(this.flags[o] & ORIGINAL) || this.senderOf[o] !== this.senderOf[i] || this.purposeOf(o) !== this.purposeOf(i)) continue;
      originalOf[i] = o;
      versions[o]++;
      if (this.newer(i, newest[o])) newest[o] = i;
    }
    for (let o = 0; o < n; o++) {
      if (originalOf[o] !== o) continue;
      const erased = this.erasedAt.get(this.senderOf[o]);
      if (this.flags[newest[o]] & EMPTY || (erased !== undefined && this.ts[o] <= erased)) newest[o] = -1;
    }

    const blocked = new Set<string>();
    const blockedNumbers = new Set<number>();
    const follows = new Map<number, Set<string>>();
    const likes = new Int32Array(n);
    const likedByMe = new Uint8Array(n);
    const likePairs = new Set<number>();
    for (const [o] of this.actionContent) {
      if (originalOf[o] !== o || newest[o] < 0 || this.senderOf[o] !== this.meIndex || this.purposeOf(o) !== P['action-block']) continue;
      const target = this.actionContent.get(newest[o]);
      if (target) {
        blocked.add(target);
        const num = this.senderIndex.get(target);
        if (num !== undefined) blockedNumbers.add(num);
      }
    }
    for (const [o] of this.actionContent) {
      const p = this.purposeOf(o);
      if (originalOf[o] !== o || newest[o] < 0 || (p !== P['action-follow'] && p !== P['action-like'])) continue;
      const sender = this.senderOf[o];
      if (blockedNumbers.has(sender)) continue;
      const content = this.actionContent.get(newest[o]);
      if (!content) continue;
      if (p === P['action-follow']) {
        let set = follows.get(sender);
        if (!set) follows.set(sender, (set = new Set()));
        set.add(content);
      } else {
        const t = this.find(content);
        const target = t >= 0 ? originalOf[t] : -1;
        if (target < 0) continue;
        // Distinct likers: one (post, person) pair counts once.
        const pair = target * 2 ** 26 + sender;
        if (likePairs.has(pair)) continue;
        likePairs.add(pair);
        likes[target]++;
        if (sender === this.meIndex) likedByMe[target] = 1;
      }
    }
    // Replies in two typed arrays rather than an array per parent (~150 bytes of heap each: ~18 MB at a million letters).
    const pairs = new Int32Array(this.replyToOf.size * 2);
    let m = 0;
    for (const [i, replyTo] of this.replyToOf) {
      if (originalOf[i] !== i || !isPostPurpose(this.purposeOf(i))) continue;
      const t = this.find(replyTo);
      const parent = t >= 0 ? originalOf[t] : -1;
      if (parent < 0) continue;
      pairs[m++] = parent;
      pairs[m++] = i;
    }
    // Counting sort in place: childStart[o] counts, then ends, then (filled backwards) starts.
    const childStart = new Int32Array(n + 1);
    for (let k = 0; k < m; k += 2) childStart[pairs[k]]++;
    for (let o = 1; o <= n; o++) childStart[o] += childStart[o - 1];
    const childList = new Int32Array(m / 2);
    for (let k = m - 2; k >= 0; k -= 2) childList[--childStart[pairs[k]]] = pairs[k + 1];
    this.built = { newest, versions, originalOf, likes, likedByMe, blocked, follows, childStart, childList };
    return this.built;
  }

  private childrenOf(o: number, built: Built): Int32Array {
    return built.childList.subarray(built.childStart[o], built.childStart[o + 1]);
  }

  /** People the person follows (latest follow letters, unfollows applied). */
  following(who = this.me): string[] {
    const num = this.senderIndex.get(who);
    return [...((num !== undefined && this.build().follows.get(num)) || [])].filter((k) => k !== who).sort();
  }

  /** People who follow the person (blocked people excluded). */
  followers(who = this.me): string[] {
    const out: string[] = [];
    for (const [follower, set] of this.build().follows) if (this.senders[follower] !== who && set.has(who)) out.push(this.senders[follower]);
    return out.sort();
  }

  /** Mutual follows, blocked people excluded: the people who should hold the person's friends key. */
  friends(who = this.me): string[] {
    const { blocked } = this.build();
    const followers = new Set(this.followers(who));
    return this.following(who).filter((k) => followers.has(k) && !blocked.has(k));
  }

  blocked(): string[] {
    return [...this.build().blocked].sort();
  }

  isBlocked(key: string): boolean {
    return this.build().blocked.has(key);
  }

  person(key: string): PersonInfo {
    const info: PersonInfo = { key };
    const num = this.senderIndex.get(key);
    const mine = num === undefined ? undefined : this.assigns.get(num);
    const erased = num === undefined ? undefined : this.erasedAt.get(num);
    const live = (a: Assign | undefined) => (a && a.content !== '' && (erased === undefined || this.ts[a.at] > erased) ? a.content : undefined);
    const name = live(mine?.get(P['action-assign/name']));
    if (name) info.name = plainName(name) || undefined;
    const profile = live(mine?.get(P['action-assign/profile']));
    if (profile) info.profile = { html: sanitizeHtml(profile), text: safeText(profile) };
    const image = live(mine?.get(P['action-assign/image']));
    if (image) {
      const avatar: PersonInfo['avatar'] = { id: image };
      const built = this.build();
      const t = this.find(image);
      const o = t >= 0 ? built.originalOf[t] : -1;
      const v = o >= 0 ? built.newest[o] : -1;
      if (v >= 0 && this.senders[this.senderOf[o]] === key && (this.purposeOf(o) === 1 || this.purposeOf(o) === 2)) {
        avatar.mime = PURPOSES[this.purposeOf(o)].slice('share-image/'.length);
        avatar.bytes = this.imageBytes.get(v);
      }
      info.avatar = avatar;
    }
    return info;
  }

  /** Display name: the person's chosen name, or a short key. */
  displayName(key: string): string {
    if (key === this.me) return 'you';
    return this.person(key).name ?? short(key);
  }

  /** Share-key letters the person sent: key public -> recipients. */
  sharedKeys(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const [i, content] of this.actionContent) {
      if (this.senderOf[i] !== this.meIndex || this.purposeOf(i) !== P['share-key']) continue;
      const to = this.toOf.get(i);
      if (!to) continue;
      let pub: unknown;
      try {
        pub = (JSON.parse(content) as { public?: unknown }).public;
      } catch {
        continue;
      }
      if (typeof pub !== 'string') continue;
      let set = out.get(pub);
      if (!set) out.set(pub, (set = new Set()));
      for (const k of to) set.add(k);
    }
    return out;
  }

  /** The post (original) with this id or any version id, when shown; -1 otherwise. */
  private visiblePost(id: string | number, built: Built): number {
    const t = typeof id === 'number' ? id : this.find(id);
    const o = t >= 0 ? built.originalOf[t] : -1;
    if (o < 0 || !isPostPurpose(this.purposeOf(o)) || built.newest[o] < 0) return -1;
    if (built.blocked.has(this.senders[this.senderOf[o]])) return -1;
    return o;
  }

  private render(o: number, built: Built, contents: ContentMap | undefined, depth: number, seen: Set<number>): FeedPost {
    seen.add(o);
    const v = built.newest[o];
    const sender = this.senders[this.senderOf[o]];
    const versionId = this.idOf(v);
    const post: FeedPost = {
      id: this.idOf(o),
      versionId,
      sender,
      author: this.displayName(sender),
      createdAt: iso(this.ts[o]),
      updatedAt: iso(this.ts[v]),
      kind: this.purposeOf(o) === 0 ? 'text' : 'image',
      text: '',
      visibility: VIS[(this.flags[o] >> 4) & 3],
      edited: built.versions[o] > 1,
      versions: built.versions[o],
      likes: built.likes[o],
      likedByMe: built.likedByMe[o] === 1,
      replies: [],
      hiddenDeepReplies: 0,
    };
    const content = this.contentOf.get(v) ?? contents?.get(versionId);
    if (post.kind === 'text') {
      post.html = content === undefined ? '' : sanitizeHtml(content);
      post.text = content === undefined ? '' : safeText(content);
    } else {
      const mime = PURPOSES[this.purposeOf(o)].slice('share-image/'.length);
      const bytes = this.imageBytes.get(v) ?? 0;
      post.image = { mime, bytes, base64: content ?? '' };
      post.text = `[${mime} image, ${bytes} bytes]`;
    }
    const kids = [...this.childrenOf(o, built)].filter((k) => this.visiblePost(k, built) === k && !seen.has(k)).sort((a, b) => (this.newer(a, b) ? 1 : -1));
    for (const k of kids) {
      if (depth + 1 > MAX_REPLY_DEPTH) {
        post.hiddenDeepReplies++;
        continue;
      }
      post.replies.push(this.render(k, built, contents, depth + 1, seen));
    }
    return post;
  }

  private roots(opts: FeedOptions): Array<{ o: number; orphanOf?: string }> {
    const built = this.build();
    const cacheKey = `${opts.home ? 'home' : 'all'}|${opts.limit ?? ''}`;
    const cached = this.rootsCache?.built === built && this.rootsCache.key === cacheKey ? this.rootsCache.roots : null;
    if (cached) return cached;
    const home = opts.home ? new Set([this.me, ...this.following()]) : null;
    // Candidates as letter numbers, not objects: at a million letters most are top-level posts,
    // and an object apiece was ~20 MB of garbage made just before rendering (the memory peak).
    let chosen = new Int32Array(this.n);
    let count = 0;
    for (let o = 0; o < this.n; o++) {
      if (built.originalOf[o] !== o || this.visiblePost(o, built) !== o) continue;
      const replyTo = this.replyToOf.get(o);
      if (replyTo !== undefined) {
        const t = this.find(replyTo);
        if (t >= 0 && built.originalOf[t] >= 0) continue; // nested under its parent (or hidden with it)
      }
      if (home && !home.has(this.senders[this.senderOf[o]])) continue;
      chosen[count++] = o;
    }
    chosen = chosen.subarray(0, count);
    const limit = opts.limit;
    if (limit !== undefined && limit > 0 && count > 4 * limit) {
      // Only the newest `limit` are wanted: the limit-th newest time (a min-heap of `limit` times), then order just those.
      const threshold = kthLargest(chosen, this.ts, limit);
      chosen = chosen.filter((o) => this.ts[o] >= threshold);
    }
    // A root that is a reply is one whose parent is not held: it is shown with what it answers.
    let roots = Array.from(chosen, (o) => {
      const orphanOf = this.replyToOf.get(o);
      return orphanOf === undefined ? { o } : { o, orphanOf };
    });
    roots.sort((a, b) => (this.newer(a.o, b.o) ? -1 : 1));
    if (limit !== undefined) roots = roots.slice(0, limit);
    this.rootsCache = { built, key: cacheKey, roots };
    return roots;
  }

  /** Reverse chronological posts with nested replies, latest versions, likes and names. */
  feed(opts: FeedOptions = {}, contents?: ContentMap): FeedPost[] {
    const built = this.build();
    const seen = new Set<number>();
    return this.roots(opts).map((r) => {
      const post = this.render(r.o, built, contents, 0, seen);
      if (r.orphanOf) post.replyTo = r.orphanOf;
      return post;
    });
  }

  /** Version ids whose contents feed(opts) / show(id) would show and this feed does not hold (keepContent false). */
  contentNeeded(what: { feed: FeedOptions } | { show: string }): string[] {
    const built = this.build();
    const out: string[] = [];
    const visit = (o: number, depth: number, seen: Set<number>) => {
      seen.add(o);
      if (!this.contentOf.has(built.newest[o])) out.push(this.idOf(built.newest[o]));
      if (depth >= MAX_REPLY_DEPTH) return;
      for (const k of this.childrenOf(o, built)) if (this.visiblePost(k, built) === k && !seen.has(k)) visit(k, depth + 1, seen);
    };
    if ('feed' in what) {
      const seen = new Set<number>();
      for (const r of this.roots(what.feed)) visit(r.o, 0, seen);
    } else {
      const o = this.visiblePost(what.show, built);
      if (o >= 0) {
        visit(o, 0, new Set());
        for (let i = 0; i < this.n; i++) if (built.originalOf[i] === o && i !== built.newest[o] && !this.contentOf.has(i) && !(this.flags[i] & EMPTY)) out.push(this.idOf(i));
      }
    }
    return out;
  }

  /** One post (by any of its version ids) with its replies and every version, or null when hidden or unknown. */
  show(id: string, contents?: ContentMap): PostDetail | null {
    const built = this.build();
    const o = this.visiblePost(id, built);
    if (o < 0) return null;
    const post = this.render(o, built, contents, 0, new Set());
    const versions: number[] = [];
    for (let i = 0; i < this.n; i++) if (built.originalOf[i] === o) versions.push(i);
    versions.sort((a, b) => (this.newer(a, b) ? -1 : 1));
    return {
      post,
      versions: versions.map((i) => {
        const deleted = (this.flags[i] & EMPTY) !== 0;
        const content = this.contentOf.get(i) ?? contents?.get(this.idOf(i));
        const text = deleted ? '' : this.purposeOf(i) === 0 ? (content === undefined ? '' : safeText(content)) : `[${PURPOSES[this.purposeOf(i)]}]`;
        return { id: this.idOf(i), timestamp: iso(this.ts[i]), text, deleted };
      }),
    };
  }

  /** The person's own original `firstId` (any version id), for edits; null when it is not theirs or not held. */
  ownOriginal(id: string): { firstId: string; purpose: Purpose; visibility: Visibility; to: string[]; replyTo?: string; deleted: boolean } | null {
    const built = this.build();
    const t = this.find(id);
    const o = t >= 0 ? built.originalOf[t] : -1;
    if (o < 0 || this.senderOf[o] !== this.meIndex) return null;
    return {
      firstId: this.idOf(o),
      purpose: PURPOSES[this.purposeOf(o)],
      visibility: VIS[(this.flags[o] >> 4) & 3],
      to: this.toOf.get(o) ?? [],
      replyTo: this.replyToOf.get(o),
      deleted: built.newest[o] < 0,
    };
  }

  /** The first id of the post that `id` (any version) belongs to, when held. */
  firstIdOf(id: string): string | undefined {
    const t = this.find(id);
    const o = t >= 0 ? this.build().originalOf[t] : -1;
    return o >= 0 ? this.idOf(o) : undefined;
  }

  /** Who sent the post `id` (any version) and to whom, when it is shown. */
  postVisibility(id: string): { sender: string; visibility: Visibility; likedByMe: boolean } | null {
    const built = this.build();
    const o = this.visiblePost(id, built);
    return o < 0 ? null : { sender: this.senders[this.senderOf[o]], visibility: VIS[(this.flags[o] >> 4) & 3], likedByMe: built.likedByMe[o] === 1 };
  }

  /** The person's newest follow letter for `key` (its first id) and whether it still follows. */
  followLetter(key: string): { firstId: string; active: boolean } | null {
    const built = this.build();
    let found = -1;
    for (const [o, content] of this.actionContent) {
      if (this.senderOf[o] !== this.meIndex || this.purposeOf(o) !== P['action-follow'] || built.originalOf[o] !== o || content !== key) continue;
      if (found < 0 || this.newer(o, found)) found = o;
    }
    if (found < 0) return null;
    const v = built.newest[found];
    return { firstId: this.idOf(found), active: v >= 0 && this.actionContent.get(v) === key };
  }
}
