/**
 * Tampering. What catches each change:
 *  - id: the signature and the boxes do not cover it, so validate() and open() still pass, but the
 *    opened letter no longer hashes to it (OpenedLetter.idValid === false), or parseEnvelope refuses it;
 *  - signature: validate() throws BAD_SIGNATURE (or parseEnvelope refuses it);
 *  - a sealed recipient: that box no longer opens, so its key holder gets NOT_A_RECIPIENT (or parse refuses);
 *  - sealed letter: the secretbox MAC fails, open() throws LetterError (or parse refuses non-canonical base64);
 *  - sender: the signature fails (BAD_SIGNATURE) and no box opens (NOT_A_RECIPIENT), or parse refuses it;
 *  - the region key as sender: validate() throws REGION_AS_SENDER.
 */
import sodium from 'sodium-native';
import { describe, expect, it } from 'vitest';
import {
  base58Decode,
  base58Encode,
  BASE58_ALPHABET,
  type Envelope,
  EnvelopeParseError,
  generateKeyPair,
  type KeyPair,
  KikiCryptoError,
  LetterError,
  NotARecipientError,
  Opener,
  parseEnvelope,
  RegionValidator,
  seal,
  SignatureError,
} from '../src';

const region = generateKeyPair();
const alice = generateKeyPair();
const bob = generateKeyPair();
const validator = new RegionValidator(region);
const content = `<p>${'a public letter of about one kilobyte. '.repeat(26)}</p>`;
const pub = seal({ purpose: 'share-text', content, recipients: [region.public] }, alice, region.public);
const direct = seal({ purpose: 'share-text', content: 'for bob', recipients: [bob.public] }, alice, region.public);

/** Every single-character substitution of a base58 text (each position, the next alphabet char). */
function* charFlips(text: string): Generator<string> {
  for (let i = 0; i < text.length; i++) {
    const c = BASE58_ALPHABET[(BASE58_ALPHABET.indexOf(text[i]) + 1) % 58];
    yield text.slice(0, i) + c + text.slice(i + 1);
  }
}

/** Every single-bit flip of every byte of a base58 value, re-encoded. */
function* byteFlips(text: string): Generator<string> {
  const bytes = base58Decode(text);
  for (let i = 0; i < bytes.length; i++) {
    const b = Buffer.from(bytes);
    b[i] ^= 1 << (i % 8);
    yield base58Encode(b);
  }
}

/** parseEnvelope as every endpoint runs it: null when refused. */
function parsed(env: Envelope): Envelope | null {
  try {
    return parseEnvelope(JSON.stringify(env));
  } catch (e) {
    expect(e).toBeInstanceOf(EnvelopeParseError);
    return null;
  }
}

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(KikiCryptoError);
    return (e as KikiCryptoError).code;
  }
}

describe('tampering is detected', () => {
  it('the untouched envelopes validate and open', () => {
    validator.validate(pub);
    expect(new Opener([region]).open(pub).idValid).toBe(true);
    expect(new Opener([bob]).open(direct).idValid).toBe(true);
  });

  it('id: any changed character or byte → parse refuses, or idValid is false', () => {
    const opener = new Opener([region]);
    let caughtByHash = 0;
    for (const id of [...charFlips(pub.id), ...byteFlips(pub.id)]) {
      const env = parsed({ ...pub, id });
      if (!env) continue;
      validator.validate(env); // the v1 signature does not cover the id (a known weakness)
      expect(opener.open(env).idValid).toBe(false);
      caughtByHash++;
    }
    expect(caughtByHash).toBeGreaterThan(40);
  });

  it('signature: any changed character or byte → parse refuses, or BAD_SIGNATURE', () => {
    for (const signature of [...charFlips(pub.signature), ...byteFlips(pub.signature)]) {
      const env = parsed({ ...pub, signature });
      if (!env) continue;
      expect(codeOf(() => validator.validate(env))).toBe('BAD_SIGNATURE');
      expect(validator.validateSignature(env.sender.public, env.signature)).toBe(false);
    }
  });

  it('each sealed recipient: any changed character or byte → its holder gets NOT_A_RECIPIENT', () => {
    const holders: KeyPair[][] = [[alice], [region]];
    pub.sealed_recipients.forEach((r, i) => {
      const opener = new Opener(holders[i]);
      for (const flipped of [...charFlips(r), ...byteFlips(r)]) {
        const recipients = pub.sealed_recipients.slice();
        recipients[i] = flipped;
        const env = parsed({ ...pub, sealed_recipients: recipients });
        if (!env) continue;
        expect(codeOf(() => opener.open(env))).toBe('NOT_A_RECIPIENT');
        validator.validate(env); // the signature does not cover the boxes either
      }
    });
  });

  it('sealed letter: any changed byte or character → LetterError (or parse refuses)', () => {
    const opener = new Opener([region]);
    const bytes = Buffer.from(pub.sealed_letter, 'base64');
    for (let i = 0; i < bytes.length; i++) {
      const b = Buffer.from(bytes);
      b[i] ^= 0x80 >> (i % 8);
      const env = parsed({ ...pub, sealed_letter: b.toString('base64') }) as Envelope;
      expect(() => opener.open(env)).toThrow(LetterError);
    }
    const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const text = pub.sealed_letter;
    for (let i = 0; i < text.length && text[i] !== '='; i++) {
      const c = b64[(b64.indexOf(text[i]) + 1) % 64];
      const env = parsed({ ...pub, sealed_letter: text.slice(0, i) + c + text.slice(i + 1) });
      if (!env) continue; // e.g. the last character's unused bits: not canonical base64
      expect(codeOf(() => opener.open(env))).toBe('INVALID_LETTER');
    }
    // Truncated or extended letters.
    expect(() => opener.open({ ...pub, sealed_letter: bytes.subarray(0, bytes.length - 1).toString('base64') })).toThrow(LetterError);
    expect(() => opener.open({ ...pub, sealed_letter: Buffer.concat([bytes, Buffer.alloc(1)]).toString('base64') })).toThrow(LetterError);
  });

  it('sender: any changed character or byte → BAD_SIGNATURE and NOT_A_RECIPIENT (or parse refuses)', () => {
    const opener = new Opener([region, bob]);
    let checked = 0;
    for (const sender of [...charFlips(alice.public), ...byteFlips(alice.public)]) {
      for (const base of [pub, direct]) {
        const env = parsed({ ...base, sender: { public: sender } });
        if (!env) continue;
        expect(codeOf(() => validator.validate(env))).toBe('BAD_SIGNATURE');
        expect(codeOf(() => opener.open(env))).toBe('NOT_A_RECIPIENT');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    // Someone else's real key as sender: same result.
    expect(codeOf(() => validator.validate({ ...pub, sender: { public: bob.public } }))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => opener.open({ ...pub, sender: { public: bob.public } }))).toBe('NOT_A_RECIPIENT');
  });

  it('sender alias: the same X25519 key with bit 255 set is refused everywhere', () => {
    // X25519 ignores the top bit, so this text names alice's key too: boxes would still open.
    const raw = base58Decode(alice.public);
    raw[31] |= 0x80;
    const alias = base58Encode(raw);
    const env = { ...pub, sender: { public: alias } };
    expect(() => parseEnvelope(env)).toThrow(/canonical/);
    expect(validator.isValid(env)).toBe(false);
    expect(codeOf(() => new Opener([region]).open(env))).toBe('INVALID_KEY');
    expect(() => seal({ purpose: 'share-text', recipients: [alias] }, alice, region.public)).toThrow(/canonical/);
  });

  it('the region key as sender is refused with REGION_AS_SENDER, even with a well-formed signature', () => {
    // Built by hand: seal() refuses to make it.
    const nonce = Buffer.alloc(24);
    sodium.randombytes_buf(nonce);
    const msg = Buffer.from(region.public);
    const box = Buffer.alloc(16 + msg.length);
    sodium.crypto_box_easy(box, msg, nonce, base58Decode(region.public), base58Decode(region.private));
    const env: Envelope = { ...pub, sender: { public: region.public }, signature: base58Encode(Buffer.concat([nonce, box])) };
    expect(parsed(env)).not.toBeNull();
    expect(codeOf(() => validator.validate(env))).toBe('REGION_AS_SENDER');
    expect(validator.isValid(env)).toBe(false);
    expect(validator.validateSignature(region.public, env.signature)).toBe(false);
    expect(() => validator.signFor(region)).toThrow(SignatureError);
  });

  it('known v1 weakness, kept visible: a signature copied from another envelope of the same sender validates', () => {
    const other = seal({ purpose: 'share-text', content: 'other', recipients: [region.public] }, alice, region.public);
    expect(validator.isValid({ ...pub, signature: other.signature })).toBe(true);
    // …but not onto another sender's envelope.
    const bobs = seal({ purpose: 'share-text', content: 'bob', recipients: [region.public] }, bob, region.public);
    expect(validator.isValid({ ...bobs, signature: other.signature })).toBe(false);
  });

  it('too-short, too-long or junk recipient entries never crash open()', () => {
    const opener = new Opener([region]);
    const junk = ['', '1', '2', 'zzzz', base58Encode(Buffer.alloc(39, 7)), base58Encode(Buffer.alloc(73, 7)), '0OIl', 42 as unknown as string];
    const env = { ...pub, sealed_recipients: [...junk, pub.sealed_recipients[1]] };
    expect(opener.open(env).letter.content).toBe(content);
    expect(() => opener.open({ ...pub, sealed_recipients: junk })).toThrow(NotARecipientError);
  });
});
