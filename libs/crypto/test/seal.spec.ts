import { deflateRawSync, inflateRawSync } from 'node:zlib';
import sodium from 'sodium-native';
import { describe, expect, it } from 'vitest';
import {
  computeId,
  DEFAULT_REGION,
  type Envelope,
  generateKeyPair,
  type KeyPair,
  keyPairToJson,
  KeyError,
  type Letter,
  LetterError,
  letterToJson,
  MAX_LETTER_BYTES,
  NotARecipientError,
  open,
  Opener,
  parseEnvelope,
  type Purpose,
  PURPOSES,
  RegionValidator,
  seal,
  type SealInput,
  SignatureError,
} from '../src';
import { b58, rawOpen, rawSeal, rawSignatureOk } from './helpers';

const region = generateKeyPair();
const alice = generateKeyPair();
const bob = generateKeyPair();
const stranger = generateKeyPair();
const aliceFriends = generateKeyPair(); // Alice's friends key, Bob holds it
const validator = new RegionValidator(region);

type Addressing = 'public' | 'self' | 'friends' | 'direct';

function recipientsFor(a: Addressing): string[] {
  switch (a) {
    case 'public':
      return [region.public];
    case 'self':
      return [];
    case 'friends':
      return [aliceFriends.public];
    case 'direct':
      return [bob.public];
  }
}

/** Who must open an Alice letter with this addressing (besides Alice herself). */
function intended(a: Addressing): KeyPair[][] {
  switch (a) {
    case 'public':
      return [[region], [bob, region]]; // any region member
    case 'self':
      return [];
    case 'friends':
      return [[bob, aliceFriends]];
    case 'direct':
      return [[bob]];
  }
}

function contentFor(p: Purpose): string {
  switch (p) {
    case 'share-key':
      return keyPairToJson(aliceFriends);
    case 'action-follow':
    case 'action-block':
      return bob.public;
    case 'action-like':
    case 'action-assign/image':
      return computeId('x', 'y', 'z', '', '', []);
    case 'action-erase':
      return '';
    case 'share-image/png':
      return 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    default:
      return `<p>${p} & <b>friends</b> \u2028 “quotes” 🎉</p>`;
  }
}

function allowed(p: Purpose, a: Addressing): boolean {
  if (p.startsWith('action-')) return a === 'public';
  if (p === 'share-key') return a !== 'public';
  return true;
}

const cases: [Purpose, Addressing][] = [];
for (const p of PURPOSES) for (const a of ['public', 'self', 'friends', 'direct'] as const) if (allowed(p, a)) cases.push([p, a]);

describe('seal → open round trip, every purpose and addressing', () => {
  it.each(cases)('%s to %s', (purpose, addressing) => {
    const input: SealInput = { purpose, content: contentFor(purpose), recipients: recipientsFor(addressing) };
    const env = seal(input, alice, region.public);
    const to = [alice.public, ...recipientsFor(addressing)];
    const expected: Letter = { purpose, to, first_id: env.id };
    if (input.content) expected.content = input.content;

    expect(env.sealed_recipients).toHaveLength(to.length);
    expect(env.id).toBe(computeId(alice.public, purpose, input.content ?? '', '', '', to));
    validator.validate(env);

    for (const keys of [[alice], ...intended(addressing)]) {
      const opened = new Opener(keys).open(env);
      expect(opened.letter).toEqual(expected);
      expect(opened.idValid).toBe(true);
    }
    expect(() => new Opener([stranger]).open(env)).toThrow(NotARecipientError);
    if (addressing !== 'public') expect(new Opener([region]).tryOpen(env)).toBeNull();
    if (addressing === 'self') expect(new Opener([bob, aliceFriends]).tryOpen(env)).toBeNull();

    expect(parseEnvelope(JSON.stringify(env))).toEqual(env);
  });
});

describe('seal output', () => {
  it('has the wire field order, a 9-digit UTC timestamp and the given sealing time', () => {
    const now = new Date('2026-11-24T15:58:05.536Z');
    const env = seal({ purpose: 'share-text', content: 'x', recipients: [region.public] }, alice, region.public, { now });
    expect(Object.keys(env)).toEqual(['id', 'timestamp', 'sender', 'signature', 'sealed_recipients', 'sealed_letter', 'signature_v2']);
    expect(env.timestamp).toBe('2026-11-24T15:58:05.536000000Z');
    expect(seal({ purpose: 'share-text', recipients: [] }, alice, region.public).timestamp).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/,
    );
  });

  it('letter JSON is purpose,to,content,first_id,reply_to with empties omitted (checked on the raw plaintext)', () => {
    const parent = seal({ purpose: 'share-text', content: 'parent', recipients: [region.public] }, bob, region.public);
    const reply = seal(
      { purpose: 'share-text', content: 'a <reply> & more', reply_to: parent.id, recipients: [region.public] },
      alice,
      region.public,
    );
    expect(rawOpen(reply, region)).toBe(
      `{"purpose":"share-text","to":["${alice.public}","${region.public}"],"content":"a \\u003creply\\u003e \\u0026 more",` +
        `"first_id":"${reply.id}","reply_to":"${parent.id}"}`,
    );
    const erase = seal({ purpose: 'action-erase', recipients: [region.public] }, alice, region.public);
    expect(rawOpen(erase, region)).toBe(
      `{"purpose":"action-erase","to":["${alice.public}","${region.public}"],"first_id":"${erase.id}"}`,
    );
    expect(letterToJson({ purpose: 'share-text', content: '', first_id: '', reply_to: '', to: [] })).toBe(
      '{"purpose":"share-text"}',
    );
  });

  it('opens independently with raw libsodium calls following PROTOCOL.md (not through open())', () => {
    const env = seal({ purpose: 'share-text', content: 'hello raw', recipients: [bob.public] }, alice, region.public);
    // Step by step: box-open each recipient with (bob secret, alice public) → K; secretbox-open; inflate; JSON.
    const senderPk = b58(env.sender.public);
    let k: Buffer | null = null;
    for (const r of env.sealed_recipients) {
      const box = b58(r);
      const m = Buffer.alloc(32);
      if (sodium.crypto_box_open_easy(m, box.subarray(24), box.subarray(0, 24), senderPk, b58(bob.private))) k = m;
    }
    expect(k).not.toBeNull();
    const sealed = Buffer.from(env.sealed_letter, 'base64');
    const compressed = Buffer.alloc(sealed.length - 40);
    expect(sodium.crypto_secretbox_open_easy(compressed, sealed.subarray(24), sealed.subarray(0, 24), k as Buffer)).toBe(true);
    const letter = JSON.parse(inflateRawSync(compressed).toString('utf8'));
    expect(letter).toEqual({ purpose: 'share-text', to: [alice.public, bob.public], content: 'hello raw', first_id: env.id });
    expect(rawSignatureOk(env, region)).toBe(true);
    // Our recipient boxes also open with crypto_box for the sender itself.
    expect(rawOpen(env, alice)).not.toBeNull();
    expect(rawOpen(env, stranger)).toBeNull();
  });

  it('an edit keeps the first id it was given, and its id hashes that first id', () => {
    const post = seal({ purpose: 'share-text', content: 'v1', recipients: [region.public] }, alice, region.public);
    const edit = seal({ purpose: 'share-text', content: 'v2', first_id: post.id, recipients: [region.public] }, alice, region.public);
    const opened = open(edit, [region]);
    expect(opened.letter.first_id).toBe(post.id);
    expect(edit.id).toBe(computeId(alice.public, 'share-text', 'v2', post.id, '', [alice.public, region.public]));
    expect(opened.idValid).toBe(true);
  });

  it('puts the sender first and removes duplicate recipients', () => {
    const env = seal(
      { purpose: 'share-text', content: 'dup', recipients: [bob.public, alice.public, region.public, bob.public] },
      alice,
      region.public,
    );
    expect(open(env, [bob]).letter.to).toEqual([alice.public, bob.public, region.public]);
    expect(env.sealed_recipients).toHaveLength(3);
  });

  it('seals to the default region like the original clients', () => {
    const env = seal({ purpose: 'action-assign/name', content: 'Alice', recipients: [DEFAULT_REGION.public] }, alice, DEFAULT_REGION.public);
    expect(new RegionValidator(DEFAULT_REGION).isValid(env)).toBe(true);
    expect(open(env, [DEFAULT_REGION]).letter.content).toBe('Alice');
  });
});

describe('seal refuses invalid input', () => {
  const base: SealInput = { purpose: 'share-text', content: 'x', recipients: [region.public] };
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return 'no error';
  };

  it('unknown purpose, bad types, bad first_id/reply_to', () => {
    expect(() => seal({ ...base, purpose: 'share-video' as Purpose }, alice, region.public)).toThrow(LetterError);
    expect(() => seal({ ...base, content: 5 as unknown as string }, alice, region.public)).toThrow(LetterError);
    expect(() => seal({ ...base, first_id: 'not-an-id' }, alice, region.public)).toThrow(LetterError);
    // 45 characters: never 32 bytes (a key plus one character sometimes is)
    expect(() => seal({ ...base, reply_to: alice.public + 'xx' }, alice, region.public)).toThrow(LetterError);
    expect(() => seal({ ...base, recipients: 'x' as unknown as string[] }, alice, region.public)).toThrow(LetterError);
  });

  it('actions that are not public, share-keys that are public or malformed', () => {
    expect(() => seal({ purpose: 'action-follow', content: bob.public, recipients: [bob.public] }, alice, region.public)).toThrow(/always public/);
    expect(() => seal({ purpose: 'share-key', content: keyPairToJson(aliceFriends), recipients: [region.public] }, alice, region.public)).toThrow(/never be public/);
    expect(() => seal({ purpose: 'share-key', content: keyPairToJson({ public: aliceFriends.public }), recipients: [bob.public] }, alice, region.public)).toThrow(LetterError);
    expect(() =>
      seal({ purpose: 'share-key', content: keyPairToJson({ public: bob.public, private: aliceFriends.private }), recipients: [bob.public] }, alice, region.public),
    ).toThrow(/does not belong/);
  });

  it('bad keys are KeyErrors naming the field', () => {
    try {
      seal({ ...base, recipients: [region.public, 'l0Il'] }, alice, region.public);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KeyError);
      expect((e as KeyError).field).toBe('recipients[1]');
    }
    expect(() => seal(base, { public: bob.public, private: alice.private }, region.public)).toThrow(/does not belong/);
    expect(() => seal(base, alice, 'nope')).toThrow(KeyError);
    // A low-order point is a valid 32-byte string but no box can be sealed to it.
    expect(() => seal({ ...base, recipients: [region.public, '11111111111111111111111111111111'] }, alice, region.public)).toThrow(/low-order/);
  });

  it('the region key cannot send', () => {
    expect(code(() => seal(base, region, region.public))).toBe('REGION_AS_SENDER');
    expect(() => seal(base, region, region.public)).toThrow(SignatureError);
  });

  it('limits: recipients and sealed letter size', () => {
    const many = Array.from({ length: 4 }, () => generateKeyPair().public);
    expect(() => seal({ ...base, recipients: many }, alice, region.public, { limits: { maxRecipients: 3 } })).toThrow(/exceed the limit/);
    expect(() => seal({ ...base, content: 'x'.repeat(100) }, alice, region.public, { limits: { maxSealedLetterBytes: 60 } })).toThrow(/exceeds the limit/);
  });

  it('refuses an invalid sealing time', () => {
    expect(() => seal(base, alice, region.public, { now: new Date(NaN) })).toThrow(LetterError);
  });
});

describe('Opener', () => {
  it('reports which key opened, and bounds its shared-key cache', () => {
    const opener = new Opener([stranger, aliceFriends, region], { cacheSize: 2 });
    const senders = Array.from({ length: 5 }, () => generateKeyPair());
    for (let round = 0; round < 2; round++) {
      for (const s of senders) {
        const env = seal({ purpose: 'share-text', content: s.public, recipients: [region.public] }, s, region.public);
        const opened = opener.open(env);
        expect(opened.openedWith).toBe(region.public);
        expect(opened.letter.content).toBe(s.public);
      }
    }
    const env: Envelope = seal({ purpose: 'share-text', content: 'f', recipients: [aliceFriends.public] }, alice, region.public);
    expect(opener.open(env).openedWith).toBe(aliceFriends.public);
  });

  it('opens whatever the order of the boxes (box 0 is the sender by convention only)', () => {
    const env = seal({ purpose: 'share-text', content: 'order', recipients: [bob.public, region.public] }, alice, region.public);
    const shuffled = { ...env, sealed_recipients: [env.sealed_recipients[2], env.sealed_recipients[0], env.sealed_recipients[1]] };
    for (const k of [alice, bob, region]) expect(new Opener([k]).open(shuffled).letter.content).toBe('order');
  });

  it('a deflate bomb stops at MAX_LETTER_BYTES with a LetterError', () => {
    const bomb = deflateRawSync(Buffer.alloc(MAX_LETTER_BYTES + 1, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(10_000);
    const env = rawSeal(bomb, alice, [region], region);
    expect(() => new Opener([region]).open(env)).toThrow(/inflates to more than/);
    const atLimit = rawSeal(deflateRawSync(Buffer.from(`{"purpose":"share-text","content":"${'x'.repeat(1000)}"}`)), alice, [region], region);
    expect(new Opener([region]).open(atLimit).letter.content).toHaveLength(1000);
  });

  it('plaintexts that are not kiki letters are LetterErrors, never crashes', () => {
    const bad: [string, RegExp][] = [
      ['not json', /not valid JSON/],
      ['[1,2]', /not a JSON object/],
      ['null', /not a JSON object/],
      ['{"purpose":"share-video"}', /not one of kiki's purposes/],
      ['{"content":"no purpose"}', /not one of kiki's purposes/],
      ['{"purpose":"share-text","to":"x"}', /"to" must be an array of strings/],
      ['{"purpose":"share-text","to":[1]}', /"to" must be an array of strings/],
      ['{"purpose":"share-text","content":{}}', /"content" must be a string/],
      ['{"purpose":"share-text","first_id":5}', /"first_id" must be a string/],
    ];
    const opener = new Opener([region]);
    for (const [plain, reason] of bad) {
      expect(() => opener.open(rawSeal(deflateRawSync(Buffer.from(plain)), alice, [region], region))).toThrow(reason);
    }
    expect(() => opener.open(rawSeal(Buffer.from('not deflate at all'), alice, [region], region))).toThrow(/raw DEFLATE/);
    // Go semantics: null means absent, unknown fields are ignored, __proto__ is just data.
    const lenient = '{"purpose":"share-text","to":null,"content":null,"extra":1,"__proto__":{"polluted":true}}';
    const opened = opener.open(rawSeal(deflateRawSync(Buffer.from(lenient)), alice, [region], region));
    expect(opened.letter).toEqual({ purpose: 'share-text' });
    expect(opened.idValid).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a keypair whose halves do not match', () => {
    expect(() => new Opener([{ public: alice.public, private: bob.private }])).toThrow(KeyError);
  });
});
