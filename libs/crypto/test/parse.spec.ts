import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base58Decode,
  DEFAULT_LIMITS,
  type Envelope,
  EnvelopeParseError,
  envelopeSize,
  generateKeyPair,
  isCanonicalPublicKey,
  parseEnvelope,
  parseTimestamp,
  seal,
} from '../src';
import { V } from './helpers';

const region = generateKeyPair();
const alice = generateKeyPair();
const env: Envelope = seal({ purpose: 'share-text', content: 'hello', recipients: [region.public] }, alice, region.public);
const json = JSON.stringify(env);

/** The EnvelopeParseError a call throws (fails the test for anything else). */
function refusal(input: unknown, limits?: Parameters<typeof parseEnvelope>[1]): EnvelopeParseError {
  try {
    parseEnvelope(input, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(EnvelopeParseError);
    return e as EnvelopeParseError;
  }
  throw new Error('parseEnvelope accepted the input');
}

/** What every accepted envelope guarantees, whatever the input was. */
function assertWellFormed(e: Envelope): void {
  const six = ['id', 'timestamp', 'sender', 'signature', 'sealed_recipients', 'sealed_letter'];
  // v2 envelopes (seal's default) carry a seventh: the sender's 64-byte signature
  expect(Object.keys(e)).toEqual(e.signature_v2 === undefined ? six : [...six, 'signature_v2']);
  if (e.signature_v2 !== undefined) expect(base58Decode(e.signature_v2)).toHaveLength(64);
  expect(base58Decode(e.id)).toHaveLength(32);
  const pk = base58Decode(e.sender.public);
  expect(pk).toHaveLength(32);
  expect(isCanonicalPublicKey(pk)).toBe(true);
  expect(base58Decode(e.signature)).toHaveLength(40 + e.sender.public.length);
  expect(e.sealed_recipients.length).toBeGreaterThan(0);
  for (const r of e.sealed_recipients) expect(base58Decode(r)).toHaveLength(72);
  expect(Buffer.from(e.sealed_letter, 'base64').toString('base64')).toBe(e.sealed_letter);
  expect(parseTimestamp(e.timestamp).normalized).toBe(e.timestamp);
}

describe('parseEnvelope accepts', () => {
  it('a JSON string, a Buffer, a Uint8Array and a parsed object, returning a fresh identical envelope', () => {
    for (const input of [json, Buffer.from(json), new Uint8Array(Buffer.from(json)), JSON.parse(json)]) {
      const out = parseEnvelope(input);
      expect(out).toEqual(env);
      assertWellFormed(out);
    }
    const obj = JSON.parse(json);
    const out = parseEnvelope(obj);
    expect(out).not.toBe(obj);
    expect(out.sender).not.toBe(obj.sender);
    expect(out.sealed_recipients).not.toBe(obj.sealed_recipients);
  });

  it('drops the legacy fields of the original, whatever they hold', () => {
    const legacy = { ...env, sender_raw: '', letter: { purpose: 'share-text', content: 'injected' }, opened: true };
    expect(parseEnvelope(JSON.stringify(legacy))).toEqual(env);
    expect(parseEnvelope({ ...env, sender: { public: env.sender.public, private: '' } })).toEqual(env);
  });

  it('normalizes the timestamp to UTC Z, keeping the fraction digits', () => {
    expect(parseEnvelope({ ...env, timestamp: '2026-11-24T16:58:05.5364+01:00' }).timestamp).toBe('2026-11-24T15:58:05.5364Z');
  });

  it('objects with a null or foreign prototype, read through own data fields only', () => {
    const bare = Object.assign(Object.create(null), JSON.parse(json));
    expect(parseEnvelope(bare)).toEqual(env);
    class Wire {
      constructor(src: Envelope) {
        Object.assign(this, src);
      }
    }
    expect(parseEnvelope(new Wire(env))).toEqual(env);
    // Inherited fields do not count.
    const inherited = Object.create({ sealed_letter: env.sealed_letter });
    Object.assign(inherited, { ...env, sealed_letter: undefined });
    delete inherited.sealed_letter;
    expect(refusal(inherited).field).toBe('sealed_letter');
  });
});

describe('parseEnvelope refuses, naming the field and the reason', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['not JSON', '{"id":', '$', /not valid JSON/],
    ['an array', '[]', '$', /got an array/],
    ['a number', 42, '$', /got a number/],
    ['null', null, '$', /got null/],
    ['a JSON string', '"x"', '$', /got a string/],
    ['unknown field', { ...env, extra: 1 }, 'extra', /unknown field/],
    ['__proto__ key', `{"__proto__":{"x":1},${json.slice(1)}`, '__proto__', /unknown field/],
    ['missing id', { ...env, id: undefined }, 'id', /missing/],
    ['id not a string', { ...env, id: 5 }, 'id', /expected a string, got a number/],
    ['id empty', { ...env, id: '' }, 'id', /empty/],
    ['id bad char', { ...env, id: `0${env.id.slice(1)}` }, 'id', /invalid base58 character at position 0/],
    ['id whitespace', { ...env, id: ` ${env.id.slice(1)}` }, 'id', /invalid base58 character/],
    ['id too short', { ...env, id: env.id.slice(0, 20) }, 'id', /decodes to \d+ bytes, expected 32/],
    ['id too long', { ...env, id: env.id + env.id }, 'id', /cannot be base58 of a 32-byte id/],
    ['timestamp month 13', { ...env, timestamp: '2026-13-01T00:00:00Z' }, 'timestamp', /month 13/],
    ['sender not object', { ...env, sender: 'x' }, 'sender', /expected a JSON object/],
    ['sender with private', { ...env, sender: { ...env.sender, private: alice.private } }, 'sender.private', /never send a private key/],
    ['sender extra', { ...env, sender: { ...env.sender, name: 'x' } }, 'sender.name', /unknown field/],
    ['sender bad key', { ...env, sender: { public: 'abc' } }, 'sender.public', /expected 32/],
    ['signature wrong length', { ...env, signature: env.sealed_recipients[0] }, 'signature', new RegExp(`decodes to 72 bytes, expected ${40 + env.sender.public.length}`)],
    ['recipients not array', { ...env, sealed_recipients: 'x' }, 'sealed_recipients', /expected an array/],
    ['recipients empty', { ...env, sealed_recipients: [] }, 'sealed_recipients', /empty/],
    ['recipient 3 bad', { ...env, sealed_recipients: [...env.sealed_recipients, env.sealed_recipients[0], 'zzz'] }, 'sealed_recipients[3]', /expected 72/],
    ['recipient not a string', { ...env, sealed_recipients: [env.sealed_recipients[0], null] }, 'sealed_recipients[1]', /got null/],
    ['recipient hole', { ...env, sealed_recipients: [env.sealed_recipients[0], , env.sealed_recipients[1]] }, 'sealed_recipients[1]', /missing/], // eslint-disable-line no-sparse-arrays
    ['letter whitespace', { ...env, sealed_letter: `${env.sealed_letter.slice(0, 4)}\n${env.sealed_letter.slice(4, -1)}` }, 'sealed_letter', /standard base64/],
    ['letter url-safe', { ...env, sealed_letter: `-_${env.sealed_letter.slice(2)}` }, 'sealed_letter', /character "-" at position 0/],
    ['letter unpadded', { ...env, sealed_letter: 'QUJD'.repeat(20).slice(0, -1) }, 'sealed_letter', /multiple of 4/],
    ['letter too short', { ...env, sealed_letter: Buffer.alloc(39).toString('base64') }, 'sealed_letter', /too short/],
    ['letter non-canonical bits', { ...env, sealed_letter: `${Buffer.alloc(40).toString('base64').slice(0, -2)}B=` }, 'sealed_letter', /not canonical/],
  ];
  it.each(cases)('%s', (_name, input, field, reason) => {
    const e = refusal(input);
    expect(e.field).toBe(field);
    expect(e.reason).toMatch(reason);
    expect(e.code).toBe('INVALID_ENVELOPE');
    expect(e.tooLarge).toBe(false);
  });

  it('invalid UTF-8 in a Buffer', () => {
    expect(refusal(Buffer.from([0x7b, 0xff, 0x7d])).reason).toMatch(/UTF-8/);
  });

  it('accessors and throwing proxies without running them or leaking their errors', () => {
    let ran = false;
    const withGetter = { ...env };
    Object.defineProperty(withGetter, 'id', { enumerable: true, get: () => ((ran = true), env.id) });
    expect(refusal(withGetter).reason).toMatch(/accessor/);
    expect(ran).toBe(false);
    const trap = new Proxy({}, { ownKeys: () => { throw new Error('trap'); } });
    expect(refusal(trap).field).toBe('$');
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(refusal(revocable.proxy).field).toBe('$');
  });
});

describe('parseEnvelope limits (checked before heavy work)', () => {
  it('input larger than maxEnvelopeBytes, as string (UTF-8 bytes counted) or Buffer', () => {
    const big = ' '.repeat(DEFAULT_LIMITS.maxEnvelopeBytes + 1);
    for (const input of [big, Buffer.from(big)]) {
      const e = refusal(input);
      expect(e.field).toBe('$');
      expect(e.tooLarge).toBe(true);
    }
    // 300 KiB of 3-byte characters: short in UTF-16, 900 KiB in UTF-8.
    expect(refusal(`"${'€'.repeat(300 * 1024)}"`).tooLarge).toBe(true);
    expect(refusal(json, { maxEnvelopeBytes: 100 }).tooLarge).toBe(true);
  });

  it('a 64 MiB string is refused in well under a second', () => {
    const huge = 'x'.repeat(64 * 1024 * 1024);
    const t = performance.now();
    refusal(huge);
    refusal({ ...env, id: huge });
    refusal({ ...env, sealed_letter: huge });
    refusal({ ...env, sealed_recipients: [huge] });
    expect(performance.now() - t).toBeLessThan(200);
  });

  it('too many recipients is refused before any of them is decoded', () => {
    const many = new Array(DEFAULT_LIMITS.maxRecipients + 1).fill('not base58 at all');
    const e = refusal({ ...env, sealed_recipients: many });
    expect(e.field).toBe('sealed_recipients');
    expect(e.tooLarge).toBe(true);
    expect(refusal(env, { maxRecipients: 1 }).tooLarge).toBe(true);
  });

  it('a sealed letter over maxSealedLetterBytes', () => {
    const e = refusal(env, { maxSealedLetterBytes: 64 });
    expect(e.field).toBe('sealed_letter');
    expect(e.tooLarge).toBe(true);
  });

  it('the default envelope cap fits an envelope that is at every other limit', () => {
    const maxLetter = 'A'.repeat(4 * Math.ceil(DEFAULT_LIMITS.maxSealedLetterBytes / 3));
    const recipients = new Array(DEFAULT_LIMITS.maxRecipients).fill('z'.repeat(99));
    const size = Buffer.byteLength(JSON.stringify({ ...env, sealed_letter: maxLetter, sealed_recipients: recipients }));
    expect(size).toBeLessThan(DEFAULT_LIMITS.maxEnvelopeBytes);
  });

  it('envelopeSize is the sealed letter length', () => {
    expect(envelopeSize(env)).toBe(env.sealed_letter.length);
  });
});

describe('parseEnvelope properties', () => {
  const onlyParseErrors = (input: unknown) => {
    try {
      assertWellFormed(parseEnvelope(input));
    } catch (e) {
      if (!(e instanceof EnvelopeParseError)) throw e;
    }
  };

  it('arbitrary values and arbitrary JSON text never throw anything but EnvelopeParseError', () => {
    fc.assert(fc.property(fc.anything({ withObjectString: true, withNullPrototype: true, withMap: true, withSet: true, withBigInt: true, withTypedArray: true, withSparseArray: true }), onlyParseErrors), { numRuns: 2000 });
    fc.assert(fc.property(fc.json(), (text) => onlyParseErrors(text)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string(), (text) => onlyParseErrors(text)), { numRuns: 1000 });
    fc.assert(fc.property(fc.uint8Array(), (bytes) => onlyParseErrors(bytes)), { numRuns: 500 });
  });

  it('envelope-shaped objects with arbitrary field values never throw anything else', () => {
    const field = fc.constantFrom('id', 'timestamp', 'sender', 'signature', 'sealed_recipients', 'sealed_letter', '__proto__', 'letter', 'constructor');
    fc.assert(
      fc.property(fc.dictionary(field, fc.anything({ withNullPrototype: true, withSparseArray: true }), { maxKeys: 8 }), (patch) =>
        onlyParseErrors({ ...env, ...patch }),
      ),
      { numRuns: 2000 },
    );
  });

  it('mutated valid envelope text never yields a key that is not 32 bytes (or any malformed field)', () => {
    const texts = [json, ...V.cases.slice(0, 5).map((c) => JSON.stringify(c.envelope))];
    const alphabet = fc.constantFrom(...'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl+/= "\\,:{}[]\u00e9\u0000');
    const mutation = fc.record({ at: fc.nat(), del: fc.nat({ max: 3 }), ins: fc.string({ unit: alphabet, maxLength: 3 }) });
    fc.assert(
      fc.property(fc.constantFrom(...texts), fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, muts) => {
        let t = text;
        for (const m of muts) {
          const at = m.at % (t.length + 1);
          t = t.slice(0, at) + m.ins + t.slice(at + m.del);
        }
        onlyParseErrors(t);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parseTimestamp', () => {
  const ok: [string, string, number][] = [
    ['2026-11-24T15:58:05.536438035Z', '2026-11-24T15:58:05.536438035Z', Date.UTC(2026, 10, 24, 15, 58, 5, 536)],
    ['2026-11-24T15:58:12.13692623Z', '2026-11-24T15:58:12.13692623Z', Date.UTC(2026, 10, 24, 15, 58, 12, 136)],
    ['2026-11-24T15:58:05Z', '2026-11-24T15:58:05Z', Date.UTC(2026, 10, 24, 15, 58, 5)],
    ['2026-11-24t15:58:05.1z', '2026-11-24T15:58:05.1Z', Date.UTC(2026, 10, 24, 15, 58, 5, 100)],
    ['2026-01-01T00:30:00.000+01:00', '2025-12-31T23:30:00.000Z', Date.UTC(2025, 11, 31, 23, 30)],
    ['2026-12-31T23:59:59.999999999-05:30', '2027-01-01T05:29:59.999999999Z', Date.UTC(2027, 0, 1, 5, 29, 59, 999)],
    ['2024-02-29T12:00:00-00:00', '2024-02-29T12:00:00Z', Date.UTC(2024, 1, 29, 12)],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['1969-12-31T23:59:59.5Z', '1969-12-31T23:59:59.5Z', -500],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z', -62135596800000],
  ];
  it.each(ok)('%s', (text, normalized, ms) => {
    expect(parseTimestamp(text)).toEqual({ normalized, ms });
  });

  const bad: [string, RegExp][] = [
    ['2026-13-01T00:00:00Z', /month 13/],
    ['2026-00-01T00:00:00Z', /month 00/],
    ['2026-02-30T00:00:00Z', /day 30 does not exist/],
    ['2023-02-29T00:00:00Z', /day 29/],
    ['1900-02-29T00:00:00Z', /day 29/],
    ['2026-04-31T00:00:00Z', /day 31/],
    ['2026-11-24T24:00:00Z', /hour 24/],
    ['2026-11-24T23:60:00Z', /minute 60/],
    ['2026-11-24T23:59:60Z', /second 60/],
    ['2026-11-24T15:58:05.1234567890Z', /RFC 3339/],
    ['2026-11-24T15:58:05.Z', /RFC 3339/],
    ['2026-11-24 15:58:05Z', /RFC 3339/],
    ['2026-11-24T15:58Z', /RFC 3339/],
    ['2026-11-24T15:58:05', /RFC 3339/],
    ['2026-11-24T15:58:05+0100', /RFC 3339/],
    ['2026-11-24T15:58:05+24:00', /offset/],
    ['2026-11-24T15:58:05+01:60', /offset/],
    ['9999-12-31T23:00:00-01:00', /outside years/],
    ['0000-01-01T00:00:00+01:00', /outside years/],
    ['２026-11-24T15:58:05Z', /RFC 3339/],
    [' 2026-11-24T15:58:05Z', /RFC 3339/],
    ['', /RFC 3339/],
    ['2026-11-24T15:58:05.123456789+01:00 and more', /cannot be an RFC 3339 timestamp/],
  ];
  it.each(bad)('refuses %j', (text, reason) => {
    try {
      parseTimestamp(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EnvelopeParseError);
      expect((e as EnvelopeParseError).field).toBe('timestamp');
      expect((e as EnvelopeParseError).reason).toMatch(reason);
    }
  });

  it('agrees with Date for any instant and offset (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('0001-01-02T00:00:00Z'), max: Date.parse('9999-12-30T00:00:00Z') }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        fc.integer({ min: 0, max: 999_999 }),
        (ms, offsetMin, subMs) => {
          const local = new Date(ms + offsetMin * 60_000).toISOString(); // wall time at that offset
          const sign = offsetMin < 0 ? '-' : '+';
          const a = Math.abs(offsetMin);
          const off = `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
          const frac = `${local.slice(20, 23)}${String(subMs).padStart(6, '0')}`;
          const text = `${local.slice(0, 19)}.${frac}${off}`;
          const r = parseTimestamp(text);
          expect(r.ms).toBe(ms);
          expect(r.normalized).toBe(`${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
