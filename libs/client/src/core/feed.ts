/**
 * The feed: what kiki means to one person, computed from the letters they can open (PROTOCOL.md
 * "Meaning"). Pure and platform-free: feed it ReadLetters (core/letters.ts openLetters) and ask.
 *
 * Rules, and the original's weaknesses they avoid:
 * - a letter whose id is not the hash of its content is dropped (forged or squatted ids);
 * - versions are grouped by (sender, first_id) and a group counts only when it holds the sender's
 *   own original (id == first_id): nobody can edit or delete someone else's post;
 * - the newest version wins; empty content hides the post (an unfollow for a follow letter);
 * - replies nest through reply_to, at most MAX_REPLY_DEPTH deep; a reply cycle has no root and is
 *   never shown; a reply whose parent is hidden (deleted, blocked, erased) is hidden with it;
 * - the person's blocks hide the blocked sender's posts, replies, likes and follows;
 * - an action-erase hides everything its sender sent before it;
 * - received HTML is sanitized before it is shown, and names are plain text.
 */
import type { Letter, Purpose } from '@kiki/crypto';
import { sanitizeHtml, safeText } from './html';
import type { ReadLetter } from './letters';
import { stripControls } from './text';

/** Deepest reply nesting shown; deeper replies are counted, not shown. */
export const MAX_REPLY_DEPTH = 32;
const MAX_NAME = 64;

export type Visibility = 'public' | 'friends' | 'direct' | 'self';

interface Version {
  id: string;
  tsMs: number;
  timestamp: string;
  purpose: Purpose;
  content: string;
  replyTo?: string;
  visibility: Visibility;
  /** public key of each explicit recipient besides the sender (share-key letters) */
  to?: string[];
}

interface Group {
  sender: string;
  firstId: string;
  original?: Version;
  versions: Version[];
}

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

const short = (key: string) => `${key.slice(0, 8)}…`;

function byTime(a: Version, b: Version): number {
  return a.tsMs - b.tsMs || (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function plainName(text: string): string {
  return stripControls(text).replace(/\s+/g, ' ').trim().slice(0, MAX_NAME);
}

/** Decoded size of a base64 text. */
function base64Bytes(b64: string): number {
  const len = b64.replace(/\s+/g, '').length;
  return Math.floor((len * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}

function isPost(p: Purpose): boolean {
  return p === 'share-text' || p === 'share-image/png' || p === 'share-image/jpg';
}

/** Accumulates letters, then answers feed, show, friends, following and followers. */
export class Feed {
  /** sender|first_id -> group, for every purpose that has versions */
  private readonly groups = new Map<string, Group>();
  /** any version id -> its group key */
  private readonly versionOf = new Map<string, string>();
  /** sender -> newest assign letter per purpose */
  private readonly assigns = new Map<string, Map<Purpose, Version>>();
  /** sender -> time of their newest erase */
  private readonly erasedAt = new Map<string, number>();
  /** interned sender keys (a million letters from a few people share a few strings) */
  private readonly senders = new Map<string, string>();
  private built: Built | null = null;
  /** letters dropped because their id does not match their content */
  forged = 0;

  constructor(readonly me: string) {}

  add(l: ReadLetter): void {
    if (!l.idValid) {
      this.forged++;
      return;
    }
    this.built = null;
    let sender = this.senders.get(l.sender);
    if (sender === undefined) this.senders.set(l.sender, (sender = l.sender));
    const letter: Letter = l.letter;
    const v: Version = {
      id: l.id,
      tsMs: l.tsMs,
      timestamp: l.timestamp,
      purpose: letter.purpose,
      content: letter.content ?? '',
      visibility: this.visibility(l),
    };
    if (letter.reply_to) v.replyTo = letter.reply_to;
    // Recipients are kept where they matter: who was sent a key, and the person's own letters (an edit goes to the same people).
    if ((letter.purpose === 'share-key' || sender === this.me) && letter.to) v.to = letter.to.filter((k) => k !== sender);

    if (letter.purpose === 'action-erase') {
      if (l.tsMs > (this.erasedAt.get(sender) ?? -Infinity)) this.erasedAt.set(sender, l.tsMs);
      return;
    }
    if (letter.purpose.startsWith('action-assign/')) {
      let mine = this.assigns.get(sender);
      if (!mine) this.assigns.set(sender, (mine = new Map()));
      const prior = mine.get(letter.purpose);
      if (!prior || byTime(prior, v) < 0) mine.set(letter.purpose, v);
      // Image letters are posts too: fall through only for nothing else.
      return;
    }
    const firstId = letter.first_id || l.id;
    const key = `${sender}|${firstId}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { sender, firstId, versions: [] }));
    if (g.versions.some((x) => x.id === v.id)) return;
    g.versions.push(v);
    if (l.id === firstId) g.original = v;
    this.versionOf.set(l.id, key);
  }

  private visibility(l: ReadLetter): Visibility {
    if (l.via === 'region') return 'public';
    if (l.via === 'friends') return 'friends';
    const to = l.letter.to ?? [];
    return l.sender === this.me && to.length <= 1 ? 'self' : 'direct';
  }

  /** The newest version of a group, or null when it is hidden (no original, deleted, erased). */
  private newest(g: Group): Version | null {
    if (!g.original) return null;
    const erased = this.erasedAt.get(g.sender);
    let best: Version | null = null;
    for (const v of g.versions) {
      if (v.purpose !== g.original.purpose) continue; // an edit cannot change what a letter is
      if (!best || byTime(best, v) < 0) best = v;
    }
    if (!best || best.content === '') return null;
    if (erased !== undefined && g.original.tsMs <= erased) return null;
    return best;
  }

  private build(): Built {
    if (this.built) return this.built;
    const blocked = new Set<string>();
    const follows = new Map<string, Set<string>>(); // follower -> followed
    const likeTargets = new Map<string, Set<string>>(); // post group key -> likers
    for (const g of this.groups.values()) {
      const p = g.original?.purpose;
      if (p === 'action-block' && g.sender === this.me) {
        const v = this.newest(g);
        if (v) blocked.add(v.content);
      }
    }
    for (const g of this.groups.values()) {
      const p = g.original?.purpose;
      if (p !== 'action-follow' && p !== 'action-like') continue;
      if (blocked.has(g.sender)) continue;
      const v = this.newest(g);
      if (!v) continue;
      if (p === 'action-follow') {
        let set = follows.get(g.sender);
        if (!set) follows.set(g.sender, (set = new Set()));
        set.add(v.content);
      } else {
        const target = this.versionOf.get(v.content);
        if (!target) continue;
        let set = likeTargets.get(target);
        if (!set) likeTargets.set(target, (set = new Set()));
        set.add(g.sender);
      }
    }
    this.built = { blocked, follows, likeTargets };
    return this.built;
  }

  /** People the person follows (latest follow letters, unfollows applied). */
  following(who = this.me): string[] {
    return [...(this.build().follows.get(who) ?? [])].filter((k) => k !== who).sort();
  }

  /** People who follow the person (blocked people excluded). */
  followers(who = this.me): string[] {
    const out: string[] = [];
    for (const [follower, set] of this.build().follows) if (follower !== who && set.has(who)) out.push(follower);
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
    const mine = this.assigns.get(key);
    const erased = this.erasedAt.get(key);
    const live = (v: Version | undefined) => (v && v.content !== '' && (erased === undefined || v.tsMs > erased) ? v : undefined);
    const name = live(mine?.get('action-assign/name'));
    if (name) info.name = plainName(name.content) || undefined;
    const profile = live(mine?.get('action-assign/profile'));
    if (profile) info.profile = { html: sanitizeHtml(profile.content), text: safeText(profile.content) };
    const image = live(mine?.get('action-assign/image'));
    if (image) {
      const avatar: PersonInfo['avatar'] = { id: image.content };
      const g = this.groups.get(`${key}|${image.content}`) ?? this.groups.get(this.versionOf.get(image.content) ?? '');
      const v = g && g.sender === key ? this.newest(g) : null;
      if (v && (v.purpose === 'share-image/png' || v.purpose === 'share-image/jpg')) {
        avatar.mime = v.purpose.slice('share-image/'.length);
        avatar.bytes = base64Bytes(v.content);
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
    for (const g of this.groups.values()) {
      if (g.sender !== this.me) continue;
      for (const v of g.versions) {
        if (v.purpose !== 'share-key' || !v.to) continue;
        let pub: unknown;
        try {
          pub = (JSON.parse(v.content) as { public?: unknown }).public;
        } catch {
          continue;
        }
        if (typeof pub !== 'string') continue;
        let set = out.get(pub);
        if (!set) out.set(pub, (set = new Set()));
        for (const k of v.to) set.add(k);
      }
    }
    return out;
  }

  private visiblePost(key: string, built: Built): { g: Group; v: Version } | null {
    const g = this.groups.get(key);
    if (!g?.original || !isPost(g.original.purpose) || built.blocked.has(g.sender)) return null;
    const v = this.newest(g);
    return v ? { g, v } : null;
  }

  private parentKey(g: Group): string | null | undefined {
    const replyTo = g.original?.replyTo;
    if (!replyTo) return null; // a top-level post
    return this.versionOf.get(replyTo); // undefined: the parent is not held
  }

  private render(key: string, g: Group, v: Version, built: Built, children: Map<string, string[]>, depth: number, seen: Set<string>): FeedPost {
    seen.add(key);
    const likers = built.likeTargets.get(key);
    const post: FeedPost = {
      id: g.firstId,
      versionId: v.id,
      sender: g.sender,
      author: this.displayName(g.sender),
      createdAt: g.original!.timestamp,
      updatedAt: v.timestamp,
      kind: v.purpose === 'share-text' ? 'text' : 'image',
      text: '',
      visibility: g.original!.visibility,
      edited: g.versions.length > 1,
      versions: g.versions.length,
      likes: likers?.size ?? 0,
      likedByMe: likers?.has(this.me) ?? false,
      replies: [],
      hiddenDeepReplies: 0,
    };
    if (post.kind === 'text') {
      post.html = sanitizeHtml(v.content);
      post.text = safeText(v.content);
    } else {
      const mime = v.purpose.slice('share-image/'.length);
      const bytes = base64Bytes(v.content);
      post.image = { mime, bytes, base64: v.content };
      post.text = `[${mime} image, ${bytes} bytes]`;
    }
    const kids = (children.get(key) ?? [])
      .map((k) => ({ k, p: this.visiblePost(k, built) }))
      .filter((x): x is { k: string; p: { g: Group; v: Version } } => x.p !== null && !seen.has(x.k))
      .sort((a, b) => byTime(a.p.g.original!, b.p.g.original!));
    for (const { k, p } of kids) {
      if (depth + 1 > MAX_REPLY_DEPTH) {
        post.hiddenDeepReplies++;
        continue;
      }
      post.replies.push(this.render(k, p.g, p.v, built, children, depth + 1, seen));
    }
    return post;
  }

  /** Reverse chronological posts with nested replies, latest versions, likes and names. */
  feed(opts: FeedOptions = {}): FeedPost[] {
    const built = this.build();
    const children = new Map<string, string[]>();
    const roots: Array<{ key: string; g: Group; v: Version; orphanOf?: string }> = [];
    const home = opts.home ? new Set([this.me, ...this.following()]) : null;
    for (const [key, g] of this.groups) {
      const visible = this.visiblePost(key, built);
      if (!visible) continue;
      const parent = this.parentKey(g);
      if (parent === null || parent === undefined) {
        if (home && !home.has(g.sender)) continue;
        roots.push({ key, g, v: visible.v, orphanOf: parent === undefined ? g.original!.replyTo : undefined });
      } else {
        let list = children.get(parent);
        if (!list) children.set(parent, (list = []));
        list.push(key);
      }
    }
    roots.sort((a, b) => byTime(b.g.original!, a.g.original!));
    const limited = opts.limit === undefined ? roots : roots.slice(0, opts.limit);
    const seen = new Set<string>();
    return limited.map((r) => {
      const post = this.render(r.key, r.g, r.v, built, children, 0, seen);
      if (r.orphanOf) post.replyTo = r.orphanOf;
      return post;
    });
  }

  /** One post (by any of its version ids) with its replies and every version, or null when hidden or unknown. */
  show(id: string): PostDetail | null {
    const key = this.versionOf.get(id);
    if (!key) return null;
    const built = this.build();
    const visible = this.visiblePost(key, built);
    if (!visible) return null;
    const children = new Map<string, string[]>();
    for (const [k, g] of this.groups) {
      const parent = this.parentKey(g);
      if (!parent) continue;
      let list = children.get(parent);
      if (!list) children.set(parent, (list = []));
      list.push(k);
    }
    const post = this.render(key, visible.g, visible.v, built, children, 0, new Set());
    const versions = [...visible.g.versions]
      .filter((v) => v.purpose === visible.g.original!.purpose)
      .sort((a, b) => byTime(b, a))
      .map((v) => ({ id: v.id, timestamp: v.timestamp, text: v.purpose === 'share-text' ? safeText(v.content) : `[${v.purpose}]`, deleted: v.content === '' }));
    return { post, versions };
  }

  /** The newest version of the person's own letter `firstId` (for edits), or null. */
  ownOriginal(firstId: string): { purpose: Purpose; visibility: Visibility; to: string[]; replyTo?: string; deleted: boolean } | null {
    const key = this.versionOf.get(firstId) ?? `${this.me}|${firstId}`;
    const g = this.groups.get(key);
    if (!g?.original || g.sender !== this.me) return null;
    return {
      purpose: g.original.purpose,
      visibility: g.original.visibility,
      to: g.original.to ?? [],
      replyTo: g.original.replyTo,
      deleted: this.newest(g) === null,
    };
  }

  /** The first id of the post that `id` (any version) belongs to, when held. */
  firstIdOf(id: string): string | undefined {
    const key = this.versionOf.get(id);
    return key ? this.groups.get(key)?.firstId : undefined;
  }

  /** Visibility of the post `id` (any version), when held and shown. */
  postVisibility(id: string): { sender: string; visibility: Visibility } | null {
    const key = this.versionOf.get(id);
    const visible = key ? this.visiblePost(key, this.build()) : null;
    return visible ? { sender: visible.g.sender, visibility: visible.g.original!.visibility } : null;
  }

  /** The person's follow letter for `key` (its first id), newest state first. */
  followLetter(key: string): { firstId: string; active: boolean } | null {
    let found: { firstId: string; active: boolean; tsMs: number } | null = null;
    for (const g of this.groups.values()) {
      if (g.sender !== this.me || g.original?.purpose !== 'action-follow' || g.original.content !== key) continue;
      const v = this.newest(g);
      const active = v !== null && v.content === key;
      if (!found || g.original.tsMs > found.tsMs) found = { firstId: g.firstId, active, tsMs: g.original.tsMs };
    }
    return found && { firstId: found.firstId, active: found.active };
  }
}

interface Built {
  blocked: Set<string>;
  follows: Map<string, Set<string>>;
  likeTargets: Map<string, Set<string>>;
}
