import bs58 from 'bs58';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base58Decode,
  base58DecodeExact,
  base58Encode,
  decodeKey,
  DEFAULT_REGION,
  isValidKey,
  KeyError,
  keyPairFromPrivate,
  maxBase58Length,
  parseKey32,
} from '../src';

// Bitcoin Core's src/test/data/base58_encode_decode.json.
const KNOWN: [string, string][] = [
  ['', ''],
  ['61', '2g'],
  ['626262', 'a3gV'],
  ['636363', 'aPEr'],
  ['73696d706c792061206c6f6e6720737472696e67', '2cFupjhnEsSn59qHXstmK2ffpLv2'],
  ['00eb15231dfceb60925886b67d065299925915aeb172c06647', '1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L'],
  ['516b6fcd0f', 'ABnLTmg'],
  ['bf4f89001e670274dd', '3SEo3LWLoPntC'],
  ['572e4794', '3EFU7m'],
  ['ecac89cad93923c02321', 'EJDM8drfXA6uyA'],
  ['10c8511e', 'Rt5zm'],
  ['00000000000000000000', '1111111111'],
  ['000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5', '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'],
];

describe('base58', () => {
  it.each(KNOWN)('known vector %s ↔ %s', (hex, text) => {
    expect(base58Encode(Buffer.from(hex, 'hex'))).toBe(text);
    expect(base58Decode(text).toString('hex')).toBe(hex);
  });

  it('round-trips any bytes and agrees with bs58 (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 8 }), fc.uint8Array({ maxLength: 200 }), (zeros, tail) => {
        const bytes = Buffer.concat([Buffer.alloc(zeros), tail]);
        const text = base58Encode(bytes);
        expect(text).toBe(bs58.encode(bytes));
        expect(base58Decode(text).equals(bytes)).toBe(true);
        expect(text.length).toBeLessThanOrEqual(maxBase58Length(bytes.length));
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes any alphabet string like bs58 and re-encodes it identically (base58 is a bijection)', () => {
    const digit = fc.constantFrom(...'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz');
    fc.assert(
      fc.property(fc.string({ unit: digit, maxLength: 150 }), (text) => {
        const bytes = base58Decode(text);
        expect(bytes.equals(Buffer.from(bs58.decode(text)))).toBe(true);
        expect(base58Encode(bytes)).toBe(text);
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps leading zero bytes as leading 1s', () => {
    for (let z = 0; z <= 40; z++) {
      const bytes = Buffer.concat([Buffer.alloc(z), Buffer.from([1, 2, 3])]);
      const text = base58Encode(bytes);
      expect(text.startsWith('1'.repeat(z))).toBe(true);
      expect(text[z]).not.toBe('1');
      expect(base58Decode(text).equals(bytes)).toBe(true);
      expect(base58Encode(Buffer.alloc(z))).toBe('1'.repeat(z));
    }
  });

  it('encodes subarrays correctly (byteOffset respected)', () => {
    const big = Buffer.from('00ff00ff0102', 'hex');
    expect(base58Encode(big.subarray(2, 5))).toBe(bs58.encode(big.subarray(2, 5)));
  });

  it('is strict: anything outside the Bitcoin alphabet is a KeyError naming the position', () => {
    for (const bad of ['0', 'O', 'I', 'l', ' ', '\n', '\t', '+', '/', '=', '-', '_', 'é', '\u0000', '🎉', '２', 'abc ', ' abc', 'a\u00a0b']) {
      expect(() => base58Decode(bad)).toThrow(KeyError);
      const at = 2 + [...bad].findIndex((c) => !'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'.includes(c));
      expect(() => base58Decode(`2g${bad}`)).toThrow(`position ${at}`);
    }
    expect(() => base58Decode(5 as unknown as string)).toThrow(KeyError);
  });
});

describe('keys', () => {
  it('the default region key is a 32-byte pair whose public half derives from the private one', () => {
    expect(decodeKey(DEFAULT_REGION.public)).toHaveLength(32);
    expect(keyPairFromPrivate(DEFAULT_REGION.private)).toEqual(DEFAULT_REGION);
  });

  it('a key must decode to exactly 32 bytes; the field is named', () => {
    const k31 = base58Encode(Buffer.alloc(31, 9));
    const k33 = base58Encode(Buffer.alloc(33, 9));
    for (const bad of ['', k31, k33, `${DEFAULT_REGION.public}1`, ` ${DEFAULT_REGION.public}`, `${DEFAULT_REGION.public}\n`]) {
      expect(isValidKey(bad)).toBe(false);
      expect(() => decodeKey(bad, 'recipients[2]')).toThrow(/^recipients\[2\]: /);
    }
    expect(isValidKey(undefined)).toBe(false);
    expect(isValidKey({})).toBe(false);
    expect(isValidKey('1'.repeat(32))).toBe(true); // 32 zero bytes are still 32 bytes
    expect(decodeKey('1'.repeat(32)).equals(Buffer.alloc(32))).toBe(true);
  });

  it('parseKey32 says why a text is not a 32-byte key, without throwing, as base58DecodeExact would', () => {
    const cases: Array<[unknown, string]> = [
      [undefined, 'NOT_A_STRING'],
      [12345, 'NOT_A_STRING'],
      ['', 'EMPTY'],
      ['0OIl', 'NOT_BASE58'],
      [`${DEFAULT_REGION.public.slice(0, 40)}ключ`, 'NOT_BASE58'],
      [base58Encode(Buffer.alloc(31, 9)), 'WRONG_LENGTH'],
      [base58Encode(Buffer.alloc(33, 9)), 'WRONG_LENGTH'],
      ['z'.repeat(45), 'WRONG_LENGTH'],
    ];
    for (const [text, failure] of cases) {
      const parsed = parseKey32(text);
      expect(parsed).toMatchObject({ ok: false, failure });
      expect(() => base58DecodeExact(text, 32, 'k')).toThrow(`k: ${(parsed as { detail: string }).detail}`);
    }
    const ok = parseKey32(DEFAULT_REGION.public);
    expect(ok.ok && ok.bytes.equals(decodeKey(DEFAULT_REGION.public))).toBe(true);
  });

  it('over-long text is refused by length before decoding', () => {
    expect(() => base58DecodeExact('z'.repeat(45), 32, 'k')).toThrow(/45 characters cannot be base58 of 32 bytes/);
    expect(maxBase58Length(32)).toBe(44);
    expect(maxBase58Length(72)).toBe(99);
  });
});
