/** Writing and reading letters on the client side: addressing words, sealing, opening with the keyring. */
import type { Envelope, KeyPair, Letter, Purpose } from '@kiki/crypto';
import type { KikiCrypto } from './crypto';
import type { Identity } from './identity';
import type { EnvelopeStore } from './store';

/** `public` (the region), `self` (only you), `friends` (your friends key) or a person's public key. */
export type Address = 'public' | 'self' | 'friends' | (string & {});

export class AddressError extends Error {
  readonly code = 'INVALID_ADDRESS';
  constructor(message: string) {
    super(message);
    this.name = 'AddressError';
  }
}

/**
 * Resolves addressing words to public keys, as the sender must before sealing (PROTOCOL.md).
 * `friends` is the person's *current* friends key only: every friend holds it, and a former friend
 * does not (sealing also to keys friends shared with us, as the original did, would reach their
 * friends too).
 */
export function resolveAddresses(
  crypto: Pick<KikiCrypto, 'isValidKey'>,
  to: readonly string[],
  identity: Pick<Identity, 'friendsKey'>,
  regionPublic: string,
): string[] {
  const out: string[] = [];
  for (const word of to) {
    if (word === 'public') out.push(regionPublic);
    else if (word === 'self') continue; // the sender is always the first recipient
    else if (word === 'friends') {
      if (!identity.friendsKey) throw new AddressError('this identity has no friends key yet, so "friends" addresses nobody');
      out.push(identity.friendsKey.public);
    } else if (crypto.isValidKey(word)) out.push(word);
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

/** Seals a letter from the identity's person into `region`. Throws AddressError or the crypto's errors. */
export function composeLetter(
  crypto: KikiCrypto,
  identity: Identity,
  region: Pick<KeyPair, 'public'>,
  content: string,
  opts: ComposeOptions = {},
): Envelope {
  const recipients = resolveAddresses(crypto, opts.to ?? ['public'], identity, region.public);
  return crypto.seal(
    { purpose: opts.purpose ?? 'share-text', content, first_id: opts.firstId, reply_to: opts.replyTo, recipients },
    identity.person,
    region.public,
    opts.now ? { now: opts.now } : undefined,
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
  /** the id is the hash of this letter (false: forged or squatted id, never trusted as a reference) */
  idValid: boolean;
}

export interface OpenAllOptions {
  /** Region keys to try; default every region of the identity. */
  regions?: readonly KeyPair[];
  /** Told about every friends key learned from a share-key letter (to remember it in the identity). */
  onKeyLearned?: (key: KeyPair, from: ReadLetter) => void;
}

/** Most passes over the store when share-key letters reveal keys that open more letters. */
const MAX_KEY_PASSES = 4;

/**
 * Opens every envelope held that is addressed to the person, one at a time, in store order.
 * Friends keys found in share-key letters are learned on the way: envelopes that no key opened are
 * tried again with the new keys (bounded passes). A share-key never removes anything, whoever sent
 * it and to whom (the original deleted letters when a public share-key carried someone's key).
 */
export async function* openLetters(crypto: KikiCrypto, store: EnvelopeStore, identity: Identity, opts: OpenAllOptions = {}): AsyncGenerator<ReadLetter> {
  const regionKeys = (opts.regions ?? identity.regions).map((r) => ({ public: r.public, private: r.private }));
  const friendKeys = [...(identity.friendsKey ? [identity.friendsKey] : []), ...(identity.friends ?? [])];
  const via = new Map<string, ReadLetter['via']>();
  for (const k of regionKeys) via.set(k.public, 'region');
  for (const k of friendKeys) via.set(k.public, 'friends');
  via.set(identity.person.public, 'self');
  const known = new Set<string>([...via.keys()]);
  const dedupe = (keys: KeyPair[]) => keys.filter((k, i) => keys.findIndex((x) => x.public === k.public) === i);

  let keys: KeyPair[] = dedupe([...regionKeys, ...friendKeys, identity.person]);
  let unopened: Set<string> | null = null; // null: the first pass tries every envelope
  for (let pass = 0; pass < MAX_KEY_PASSES && keys.length > 0; pass++) {
    const opener = crypto.opener(keys);
    const learned: KeyPair[] = [];
    const stillUnopened = new Set<string>();
    for await (const env of store.scan()) {
      if (unopened && !unopened.has(env.id)) continue;
      let opened;
      try {
        opened = opener.tryOpen(env);
      } catch {
        // A letter that opens but is not a valid kiki letter is junk: skipped, never shown.
        continue;
      }
      if (!opened) {
        stillUnopened.add(env.id);
        continue;
      }
      const read: ReadLetter = {
        id: env.id,
        sender: env.sender.public,
        timestamp: env.timestamp,
        tsMs: crypto.timestampMs(env.timestamp),
        letter: opened.letter,
        openedWith: opened.openedWith,
        via: via.get(opened.openedWith) ?? 'friends',
        idValid: opened.idValid,
      };
      if (read.letter.purpose === 'share-key' && read.idValid && read.letter.content) {
        let key: KeyPair | null = null;
        try {
          key = crypto.keyPairFromJson(read.letter.content);
        } catch {
          // A malformed key is ignored; it must not stop anything else (the original stopped decrypting).
        }
        if (key && !known.has(key.public)) {
          known.add(key.public);
          via.set(key.public, 'friends');
          learned.push(key);
          opts.onKeyLearned?.(key, read);
        }
      }
      yield read;
    }
    if (learned.length === 0 || stillUnopened.size === 0) return;
    keys = learned;
    unopened = stillUnopened;
  }
}

/** Every letter the person can open, newest first. */
export async function openAll(crypto: KikiCrypto, store: EnvelopeStore, identity: Identity, opts: OpenAllOptions = {}): Promise<ReadLetter[]> {
  const out: ReadLetter[] = [];
  for await (const l of openLetters(crypto, store, identity, opts)) out.push(l);
  return out.sort(newestFirst);
}

export function newestFirst(a: ReadLetter, b: ReadLetter): number {
  return b.tsMs - a.tsMs || (b.timestamp < a.timestamp ? -1 : b.timestamp > a.timestamp ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The plain view of posts: versions sharing (sender, first_id) are one post and the newest wins;
 * a newest version with empty content is a deletion and hides the post. Edits are scoped to the
 * original sender, so nobody can replace someone else's post. Input and output newest first.
 * (The feed, core/feed.ts, applies the full rules: ids re-checked, blocks, erases, replies.)
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
    versions.sort(newestFirst);
    const newest = versions[0];
    // Empty content in the newest version is a deletion (or an unfollow); an erase is always empty.
    if (!newest.letter.content && newest.letter.purpose !== 'action-erase') continue;
    out.push({ ...newest, edited: versions.length > 1 });
  }
  return out.sort(newestFirst);
}
