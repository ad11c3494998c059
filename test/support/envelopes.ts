import { type Envelope, generateKeyPair, type KeyPair, type Purpose, seal } from '@kiki/crypto';
import { createSyncToken } from '@kiki/crypto';

/** A public text post from `person` in `region` (the hub can open and check it). */
export function publicPost(person: KeyPair, region: KeyPair, content = `hello ${Math.random()}`, now?: Date): Envelope {
  return seal({ purpose: 'share-text', content, recipients: [region.public] }, person, region.public, { now });
}

/** A letter only `to` (and the sender) can open; opaque to the hub. */
export function privatePost(person: KeyPair, region: KeyPair, to: KeyPair, content = `psst ${Math.random()}`): Envelope {
  return seal({ purpose: 'share-text', content, recipients: [to.public] }, person, region.public);
}

export function publicAction(person: KeyPair, region: KeyPair, purpose: Purpose, content: string): Envelope {
  return seal({ purpose, content, recipients: [region.public] }, person, region.public);
}

export function people(n: number): KeyPair[] {
  return Array.from({ length: n }, () => generateKeyPair());
}

export function authHeader(person: KeyPair, region: KeyPair, now?: Date): Record<string, string> {
  return { authorization: `Kiki ${createSyncToken(person, region, { now })}` };
}
