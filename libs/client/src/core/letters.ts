/** Writing and reading letters on the client side: addressing words, sealing, opening. */
import { type Envelope, isValidKey, type KeyPair, type Letter, Opener, parseTimestamp, type Purpose, seal } from '@kiki/crypto';
import type { Identity } from '../node/identity';
import type { EnvelopeStore } from '../node/store';

/** `public` (the region), `self` (only you), `friends` (your friends keys) or a person's public key. */
export type Address = 'public' | 'self' | 'friends' | (string & {});

export class AddressError extends Error {
  readonly code = 'INVALID_ADDRESS';
  constructor(message: string) {
    super(message);
    this.name = 'AddressError';
  }
}

/** Resolves addressing words to public keys, as the sender must before sealing (PROTOCOL.md). */
export function resolveAddresses(to: readonly string[], identity: Pick<Identity, 'friends'>, regionPublic: string): string[] {
  const out: string[] = [];
  for (const word of to) {
    if (word === 'public') out.push(regionPublic);
    else if (word === 'self') continue; // the sender is always the first recipient
    else if (word === 'friends') {
      const friends = identity.friends ?? [];
      if (friends.length === 0) throw new AddressError('you hold no friends key yet, so "friends" addresses nobody');
      out.push(...friends.map((f) => f.public));
    } else if (isValidKey(word)) out.push(word);
    else throw new AddressError(`${JSON.stringify(word.slice(0, 60))} is not public, self, friends or a base58 public key`);
  }
  return [...new Set(out)];
}

export interface ComposeOptions {
  /** Default share-text. */
  purpose?: Purpose;
  /** Addressing words or keys; default ["public"]. */
  to?: readonly string[];
  /** first id of the post this replies to */
  replyTo?: string;
  /** first id of the post this edits (an edit with empty content deletes it) */
  firstId?: string;
  now?: Date;
}

/** Seals a letter from the identity's person into `region`. Throws AddressError or @kiki/crypto errors. */
export function composeLetter(identity: Identity, region: Pick<KeyPair, 'public'>, content: string, opts: ComposeOptions = {}): Envelope {
  const recipients = resolveAddresses(opts.to ?? ['public'], identity, region.public);
  return seal(
    { purpose: opts.purpose ?? 'share-text', content, first_id: opts.firstId, reply_to: opts.replyTo, recipients },
    identity.person,
    region.public,
    opts.now ? { now: opts.now } : {},
  );
}

export interface ReadLetter {
  id: string;
  sender: string;
  /** the envelope's timestamp text, and the same in ms */
  timestamp: string;
  tsMs: number;
  letter: Letter;
  /** public key whose secret opened it */
  openedWith: string;
  /**
   * How it reached you: `self` (your own key: only you or the sender could have sealed it),
   * `friends` (a friends key: anyone holding that key could have), `region` (public: any member could have).
   */
  via: 'self' | 'friends' | 'region';
  /** the id is the hash of this letter (false: forged or squatted id, do not trust it as a reference) */
  idValid: boolean;
}

export interface OpenAllOptions {
  /** Region keys to try; default every region of the identity. */
  regions?: readonly KeyPair[];
}

/** Opens every envelope held that is addressed to the person, newest first. */
export async function openAll(store: EnvelopeStore, identity: Identity, opts: OpenAllOptions = {}): Promise<ReadLetter[]> {
  const regionKeys = (opts.regions ?? identity.regions).map((r) => ({ public: r.public, private: r.private }));
  const friends = identity.friends ?? [];
  const keys: KeyPair[] = [...regionKeys, ...friends, identity.person];
  const via = new Map<string, ReadLetter['via']>();
  for (const k of regionKeys) via.set(k.public, 'region');
  for (const k of friends) via.set(k.public, 'friends');
  via.set(identity.person.public, 'self');
  const opener = new Opener(keys);
  const out: ReadLetter[] = [];
  for (const env of await store.envelopes()) {
    let opened;
    try {
      opened = opener.tryOpen(env);
    } catch {
      // A letter that opens but is not a valid kiki letter is junk: skipped, never shown.
      continue;
    }
    if (!opened) continue;
    out.push({
      id: env.id,
      sender: env.sender.public,
      timestamp: env.timestamp,
      tsMs: parseTimestamp(env.timestamp).ms,
      letter: opened.letter,
      openedWith: opened.openedWith,
      via: via.get(opened.openedWith) ?? 'region',
      idValid: opened.idValid,
    });
  }
  return out.sort((a, b) => b.tsMs - a.tsMs || b.timestamp.localeCompare(a.timestamp) || a.id.localeCompare(b.id));
}

/**
 * The feed view of posts: versions sharing (sender, first_id) are one post and the newest wins;
 * a newest version with empty content is a deletion and hides the post. Edits are scoped to the
 * original sender, so nobody can replace someone else's post. Input and output newest first.
 */
export function latestVersions(letters: readonly ReadLetter[]): Array<ReadLetter & { edited: boolean }> {
  const groups = new Map<string, ReadLetter[]>();
  for (const l of letters) {
    const key = `${l.sender}|${l.letter.first_id || l.id}`;
    const g = groups.get(key);
    if (g) g.push(l);
    else groups.set(key, [l]);
  }
  const out: Array<ReadLetter & { edited: boolean }> = [];
  for (const versions of groups.values()) {
    versions.sort((a, b) => b.tsMs - a.tsMs || b.timestamp.localeCompare(a.timestamp));
    const newest = versions[0];
    // Empty content in the newest version is a deletion (or an unfollow); an erase is always empty.
    if (!newest.letter.content && newest.letter.purpose !== 'action-erase') continue;
    out.push({ ...newest, edited: versions.length > 1 });
  }
  return out.sort((a, b) => b.tsMs - a.tsMs || a.id.localeCompare(b.id));
}
