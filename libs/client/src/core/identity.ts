/** The identity a client acts as (kept in an identity file on Node: node/identity.ts). Types only. */
import type { KeyPair } from '@kiki/crypto';

/** A region the person belongs to; `hub` is where its envelopes are synced. */
export interface RegionMembership extends KeyPair {
  hub?: string;
}

export interface Identity {
  person: KeyPair;
  /**
   * The person's current friends key (made on init, replaced when a friend leaves): letters "to
   * friends" are sealed to it, and every friend is sent it in a share-key letter.
   */
  friendsKey?: KeyPair;
  /** Every other friends key held: the person's former ones (to read their own old letters) and keys friends shared. */
  friends?: KeyPair[];
  regions: RegionMembership[];
}

/** Where an identity is kept between runs (a file on Node, IndexedDB in a browser). */
export interface IdentityKeeper {
  save(identity: Identity): Promise<void>;
}
