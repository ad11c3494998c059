import sodium from 'sodium-native';
import { describe, expect, it } from 'vitest';
import {
  base58Decode,
  generateKeyPair,
  isCanonicalPublicKey,
  keyPairFromJson,
  keyPairToJson,
  RegionValidator,
  seal,
} from '../src';
import { boxBeforeNm, hsalsa20, SharedKeyCache } from '../src/shared-key';

function rawKeyPair() {
  const pk = Buffer.alloc(32);
  const sk = Buffer.alloc(32);
  sodium.crypto_box_keypair(pk, sk);
  return { pk, sk };
}

describe('crypto_box_beforenm rebuilt on sodium-native 5', () => {
  it("HSalsa20 matches NaCl's published vector (tests/core1.c: shared secret → firstkey)", () => {
    const out = Buffer.alloc(32);
    hsalsa20(out, Buffer.from('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742', 'hex'), new Uint8Array(16));
    expect(out.toString('hex')).toBe('1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389');
  });

  it('secretbox under the precomputed key is crypto_box both ways, for random keys', () => {
    for (let i = 0; i < 200; i++) {
      const a = rawKeyPair();
      const b = rawKeyPair();
      const msg = Buffer.from(`message ${i}`);
      const nonce = Buffer.alloc(24);
      sodium.randombytes_buf(nonce);
      const boxed = Buffer.alloc(msg.length + 16);
      sodium.crypto_box_easy(boxed, msg, nonce, b.pk, a.sk);
      const k = boxBeforeNm(a.pk, b.sk) as Buffer;
      expect(boxBeforeNm(b.pk, a.sk)?.equals(k)).toBe(true); // symmetric
      const opened = Buffer.alloc(msg.length);
      expect(sodium.crypto_secretbox_open_easy(opened, boxed, nonce, k)).toBe(true);
      expect(opened.equals(msg)).toBe(true);
      const sealed = Buffer.alloc(msg.length + 16);
      sodium.crypto_secretbox_easy(sealed, msg, nonce, k);
      expect(sodium.crypto_box_open_easy(opened, sealed, nonce, a.pk, b.sk)).toBe(true);
    }
  });

  it('a low-order public key has no shared key (libsodium refuses it too)', () => {
    expect(boxBeforeNm(Buffer.alloc(32), rawKeyPair().sk)).toBeNull();
    const one = Buffer.alloc(32);
    one[0] = 1;
    expect(boxBeforeNm(one, rawKeyPair().sk)).toBeNull();
  });

  it('the shared-key cache stays within its bound and recomputes evicted keys correctly', () => {
    const me = rawKeyPair();
    const cache = new SharedKeyCache(me.sk, 3);
    const peers = Array.from({ length: 10 }, () => rawKeyPair());
    for (let round = 0; round < 3; round++) {
      peers.forEach((p, i) => {
        const k = cache.get(`peer${i}`, p.pk) as Buffer;
        expect(k.equals(boxBeforeNm(p.pk, me.sk) as Buffer)).toBe(true);
        expect(cache.size).toBeLessThanOrEqual(3);
      });
    }
    // The most recently used entry survives newer insertions.
    cache.get('peer0', peers[0].pk);
    cache.get('peer9', peers[9].pk);
    cache.get('peer0', peers[0].pk);
    cache.get('peer5', peers[5].pk);
    cache.get('peer6', peers[6].pk);
    expect(cache.size).toBe(3);
  });
});

describe('RegionValidator', () => {
  const region = generateKeyPair();
  const v = new RegionValidator(region, { cacheSize: 2 });

  it('signFor makes a signature that validates, for that person only, and needs no person secret', () => {
    const person = generateKeyPair();
    const sig = v.signFor({ public: person.public });
    expect(v.validateSignature(person.public, sig)).toBe(true);
    expect(v.validateSignature(generateKeyPair().public, sig)).toBe(false);
    expect(new RegionValidator(generateKeyPair()).validateSignature(person.public, sig)).toBe(false);
    // It is the signature the person's own envelopes carry (same shared key, same plaintext).
    const env = seal({ purpose: 'share-text', recipients: [] }, person, region.public);
    expect(v.validateSignature(person.public, env.signature)).toBe(true);
    expect(v.isValid({ ...env, signature: sig })).toBe(true);
  });

  it('validateSignature never throws on junk', () => {
    for (const [p, s] of [['', ''], ['x', 'y'], [null, undefined], [region.public, 'zz'], [5, 5]] as [string, string][]) {
      expect(v.validateSignature(p, s)).toBe(false);
    }
    expect(v.isValid(null as never)).toBe(false);
    expect(v.isValid({} as never)).toBe(false);
  });

  it('refuses a region keypair whose halves do not match', () => {
    expect(() => new RegionValidator({ public: generateKeyPair().public, private: region.private })).toThrow(/does not belong/);
  });

  it('keeps validating correctly across cache evictions', () => {
    const people = Array.from({ length: 6 }, () => generateKeyPair());
    const sigs = people.map((p) => v.signFor(p));
    for (let round = 0; round < 3; round++) people.forEach((p, i) => expect(v.validateSignature(p.public, sigs[i])).toBe(true));
  });
});

describe('keys JSON and canonical public keys', () => {
  it('keyPairToJson / keyPairFromJson', () => {
    const kp = generateKeyPair();
    expect(keyPairToJson(kp)).toBe(`{"public":"${kp.public}","private":"${kp.private}"}`);
    expect(keyPairFromJson(keyPairToJson(kp))).toEqual(kp);
    expect(() => keyPairFromJson('{"public":1}')).toThrow();
    expect(() => keyPairFromJson('nope')).toThrow();
  });

  it('generated keys are canonical; top bit or unreduced values are not', () => {
    for (let i = 0; i < 100; i++) expect(isCanonicalPublicKey(base58Decode(generateKeyPair().public))).toBe(true);
    const p = Buffer.alloc(32, 0xff);
    p[31] = 0x7f;
    expect(isCanonicalPublicKey(p)).toBe(false); // 2^255 - 1
    p[0] = 0xec;
    expect(isCanonicalPublicKey(p)).toBe(true); // 2^255 - 20 = p - 1
    p[0] = 0xed;
    expect(isCanonicalPublicKey(p)).toBe(false); // p itself
    const top = Buffer.alloc(32);
    top[31] = 0x80;
    expect(isCanonicalPublicKey(top)).toBe(false);
  });
});
