/**
 * The 19 envelopes sealed by the original kiki (Go) program. What they show, and the library
 * relies on:
 *  - the sealed plaintext `to` is a plain JSON array of keys, sender first;
 *  - the id is base58(SHA-256(sender ‖ purpose ‖ content ‖ first_id ‖ reply_to ‖ to.join(','))) with
 *    first_id as it was *before* sealing ('' for an original, the post's first id for an edit);
 *  - the vector file's `letter_for_*` are not the plaintext but the original's stored form of it:
 *    `to` is the JSON text of the list split on ',' (hence `["[\"A\"", "\"B\"]"]`), and empty
 *    fields are written as "" where the plaintext omits them.
 */
import { describe, expect, it } from 'vitest';
import {
  computeId,
  generateKeyPair,
  keyPairFromJson,
  keyPairFromPrivate,
  type KeyPair,
  type Letter,
  letterToJson,
  NotARecipientError,
  Opener,
  parseEnvelope,
  RegionValidator,
  SignatureError,
  verifyId,
} from '../src';
import { type FileLetter, rawOpen, rawSignatureOk, V } from './helpers';

const people = { a: V.person_a, b: V.person_b } as const;

/** The letter a file entry stands for: undo the stored form (`to` split on ',', "" for absent). */
function fromFile(f: FileLetter): Letter {
  const l: Letter = { purpose: f.purpose as Letter['purpose'] };
  const to = JSON.parse(f.to.join(',')) as string[];
  if (to.length) l.to = to;
  if (f.content) l.content = f.content;
  if (f.first_id) l.first_id = f.first_id;
  if (f.reply_to) l.reply_to = f.reply_to;
  return l;
}

/**
 * Each person's keyring as their client builds it: own key, the region key, and every friends key
 * they can read from a share-key letter (their own, and the ones friends sent them).
 */
function keyring(me: KeyPair): KeyPair[] {
  const base = [me, V.region];
  const opener = new Opener(base);
  const keys = [...base];
  for (const c of V.cases) {
    const opened = opener.tryOpen(c.envelope);
    if (opened?.letter.purpose === 'share-key') keys.push(keyPairFromJson(opened.letter.content ?? ''));
  }
  return keys;
}

describe('kiki v1 vectors (sealed by the original Go program)', () => {
  it('has 19 cases, and the keypairs are consistent', () => {
    expect(V.cases).toHaveLength(19);
    for (const kp of [V.region, V.person_a, V.person_b]) expect(keyPairFromPrivate(kp.private).public).toBe(kp.public);
  });

  for (const who of ['a', 'b'] as const) {
    describe(`person ${who.toUpperCase()}`, () => {
      const opener = new Opener(keyring(people[who]));
      V.cases.forEach((c, i) => {
        const expected = who === 'a' ? c.letter_for_a : c.letter_for_b;
        it(`case ${i} (${c.envelope.id.slice(0, 8)}) ${expected ? `opens ${expected.purpose}` : 'is not a recipient'}`, () => {
          if (!expected) {
            expect(() => opener.open(c.envelope)).toThrow(NotARecipientError);
            expect(opener.tryOpen(c.envelope)).toBeNull();
            return;
          }
          const opened = opener.open(c.envelope);
          expect(opened.letter).toEqual(fromFile(expected));
          expect(opened.idValid).toBe(true);
          // The file's odd `to` is exactly the JSON text of our list split on ',', byte for byte.
          expect(JSON.stringify(opened.letter.to).split(',')).toEqual(expected.to);
          expect(opened.letter.content ?? '').toBe(expected.content ?? '');
          expect(opened.letter.first_id ?? '').toBe(expected.first_id ?? '');
          expect(opened.letter.reply_to ?? '').toBe(expected.reply_to ?? '');
        });
      });
    });
  }

  it("letterToJson reproduces every original plaintext byte for byte (Go's field order and escaping)", () => {
    for (const c of V.cases) {
      const holder = c.letter_for_a ? V.person_a : V.person_b;
      const plaintext = rawOpen(c.envelope, holder) ?? rawOpen(c.envelope, V.region);
      expect(plaintext).not.toBeNull();
      const opened = new Opener(keyring(holder)).open(c.envelope);
      expect(letterToJson(opened.letter)).toBe(plaintext);
    }
  });

  it('every signature validates with the vectors region and fails with any other region', () => {
    const region = new RegionValidator(V.region);
    const other = new RegionValidator(generateKeyPair());
    for (const c of V.cases) {
      expect(() => region.validate(c.envelope)).not.toThrow();
      expect(region.isValid(c.envelope)).toBe(true);
      expect(region.validateSignature(c.envelope.sender.public, c.envelope.signature)).toBe(true);
      expect(rawSignatureOk(c.envelope, V.region)).toBe(true);
      expect(other.isValid(c.envelope)).toBe(false);
      expect(() => other.validate(c.envelope)).toThrow(SignatureError);
      try {
        other.validate(c.envelope);
      } catch (e) {
        expect((e as SignatureError).code).toBe('BAD_SIGNATURE');
      }
    }
  });

  it('every id is computeId of the opened letter: plain keys joined with "," and the pre-sealing first_id', () => {
    const opener = new Opener([...keyring(V.person_a), ...keyring(V.person_b)]);
    let edits = 0;
    for (const c of V.cases) {
      const env = c.envelope;
      const { letter } = opener.open(env);
      const to = letter.to ?? [];
      expect(to[0]).toBe(env.sender.public); // the sender always comes first
      const isEdit = letter.first_id !== env.id;
      if (isEdit) edits++;
      const firstId = isEdit ? (letter.first_id ?? '') : '';
      const id = computeId(env.sender.public, letter.purpose, letter.content ?? '', firstId, letter.reply_to ?? '', to);
      expect(id).toBe(env.id);
      expect(verifyId(env, letter)).toBe(true);
      // The alternatives the vectors rule out: the JSON-fragment `to`, or first_id already filled in.
      const fragment = JSON.stringify(to);
      expect(computeId(env.sender.public, letter.purpose, letter.content ?? '', firstId, letter.reply_to ?? '', [fragment])).not.toBe(env.id);
      if (!isEdit) {
        expect(computeId(env.sender.public, letter.purpose, letter.content ?? '', env.id, letter.reply_to ?? '', to)).not.toBe(env.id);
      }
    }
    expect(edits).toBe(1); // case 9 edits the post of case 12
  });

  it('parseEnvelope accepts every vector unchanged', () => {
    for (const c of V.cases) {
      expect(parseEnvelope(JSON.stringify(c.envelope))).toEqual(c.envelope);
      expect(parseEnvelope(Buffer.from(JSON.stringify(c.envelope)))).toEqual(c.envelope);
      expect(parseEnvelope({ ...c.envelope, sender_raw: '', letter: {}, opened: false })).toEqual(c.envelope);
    }
  });

  it('a stranger holding none of the keys opens nothing', () => {
    const stranger = new Opener([generateKeyPair()]);
    for (const c of V.cases) expect(() => stranger.open(c.envelope)).toThrow(NotARecipientError);
  });
});
