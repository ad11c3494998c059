import sodium from 'sodium-native';
import { describe, expect, it } from 'vitest';
import { base58Encode, createSyncToken, decodeKey, generateKeyPair, openSyncToken, SyncTokenError } from '../src';

const region = generateKeyPair();
const person = generateKeyPair();

describe('sync tokens', () => {
  it('round-trip the person, region and issue time', () => {
    const now = new Date('2026-11-25T01:00:00Z');
    const claims = openSyncToken(createSyncToken(person, region, { now }), region);
    expect(claims).toMatchObject({ person: person.public, region: region.public, issuedAt: now.getTime() });
    expect(claims.nonce).toMatch(/^[1-9A-HJ-NP-Za-km-z]+$/);
  });

  it('need only the public half of the person', () => {
    expect(openSyncToken(createSyncToken({ public: person.public }, region), region).person).toBe(person.public);
  });

  it('differ every time (fresh nonce)', () => {
    expect(createSyncToken(person, region)).not.toBe(createSyncToken(person, region));
  });

  it('cannot be made without the region secret', () => {
    const guess = { public: region.public, private: generateKeyPair().private };
    expect(() => openSyncToken(createSyncToken(person, guess), region)).toThrow(SyncTokenError);
  });

  it('refuse the old person-to-region box, which any person could make', () => {
    const payload = Buffer.from(JSON.stringify({ r: region.public, t: Date.now() }));
    const out = Buffer.alloc(24 + 16 + payload.length);
    sodium.randombytes_buf(out.subarray(0, 24));
    sodium.crypto_box_easy(out.subarray(24), payload, out.subarray(0, 24), decodeKey(region.public), decodeKey(person.private));
    expect(() => openSyncToken(`${person.public}.${base58Encode(out)}`, region)).toThrow(SyncTokenError);
  });

  it('are bound to the person named in them and to the region', () => {
    const token = createSyncToken(person, region);
    const other = generateKeyPair().public;
    expect(() => openSyncToken(`${other}${token.slice(token.indexOf('.'))}`, region)).toThrow(SyncTokenError);
    expect(() => openSyncToken(token, generateKeyPair())).toThrow(SyncTokenError);
  });

  it('refuse malformed text with SyncTokenError only', () => {
    const token = createSyncToken(person, region);
    const flipped = token.slice(0, -1) + (token.endsWith('2') ? '3' : '2');
    for (const bad of ['', 'abc', '.', `${person.public}.`, `${person.public}.0OIl`, 'x'.repeat(500), flipped, token.replace('.', '')]) {
      expect(() => openSyncToken(bad, region), bad.slice(0, 20)).toThrow(SyncTokenError);
    }
    expect(() => openSyncToken(42 as unknown as string, region)).toThrow(SyncTokenError);
  });
});
