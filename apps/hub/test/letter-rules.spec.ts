/**
 * The public-letter rules of ingest (check.ts letterProblem): every public letter the original
 * program made passes them, and each poison of issue 10 (attack 5) breaks one.
 */
import { generateKeyPair, Opener, parseEnvelope, seal } from '@kiki/crypto';
import { describe, expect, it } from 'vitest';
import vectors from '../../../libs/crypto/test/fixtures/kiki-v1.json';
import { letterProblem } from '../src/ingest/check';

const V = vectors as unknown as { region: { public: string; private: string }; cases: Array<{ envelope: unknown }> };

describe('letterProblem', () => {
  it("accepts every public letter of the original program's vectors", () => {
    const opener = new Opener([V.region]);
    let opened = 0;
    for (const c of V.cases) {
      const env = parseEnvelope(c.envelope);
      const o = opener.tryOpen(env);
      if (!o) continue;
      opened++;
      expect(letterProblem(o.letter, env, V.region.public)).toBeNull();
    }
    expect(opened).toBeGreaterThan(5);
  });

  const region = generateKeyPair();
  const alice = generateKeyPair();
  const opener = new Opener([region]);
  const check = (env: ReturnType<typeof seal>, letter = opener.open(env).letter) => letterProblem(letter, env, region.public);

  it('accepts well-formed actions, and an empty-content edit of one (an unfollow)', () => {
    const follow = seal({ purpose: 'action-follow', content: generateKeyPair().public, recipients: [region.public] }, alice, region.public);
    expect(check(follow)).toBeNull();
    const unfollow = seal({ purpose: 'action-follow', content: '', first_id: follow.id, recipients: [region.public] }, alice, region.public);
    expect(check(unfollow)).toBeNull();
    expect(check(seal({ purpose: 'action-erase', recipients: [region.public] }, alice, region.public))).toBeNull();
    expect(check(seal({ purpose: 'action-like', content: follow.id, recipients: [region.public] }, alice, region.public))).toBeNull();
    expect(check(seal({ purpose: 'action-assign/name', content: 'Alice', recipients: [region.public] }, alice, region.public))).toBeNull();
  });

  it.each([
    ['action-follow', 'not a key', /public key/],
    ['action-block', '', /public key/],
    ['action-like', 'x'.repeat(44), /envelope id/],
    ['action-assign/image', '', /envelope id/],
    ['action-erase', 'everything', /empty/],
    ['action-assign/name', 'n'.repeat(201), /at most 200/],
    ['action-assign/profile', 'p'.repeat(2001), /at most 2000/],
  ] as const)('refuses %s with content %j', (purpose, content, reason) => {
    const env = seal({ purpose, content, recipients: [region.public] }, alice, region.public);
    expect(check(env)).toMatch(reason);
  });

  it('refuses a public share-key, whatever key it carries', () => {
    const friends = generateKeyPair();
    const env = seal({ purpose: 'share-key', content: JSON.stringify(friends), recipients: [generateKeyPair().public] }, alice, region.public);
    // seal() refuses public share-keys, so the letter is made public the way a forger would: by its `to`
    const letter = { purpose: 'share-key' as const, to: [alice.public, region.public], content: '{"public":"x"}' };
    expect(letterProblem(letter, env, region.public)).toMatch(/never be public/);
  });

  it("refuses a `to` that does not start with the sender, names no region, or holds a non-key", () => {
    const env = seal({ purpose: 'share-text', content: 'x', recipients: [region.public] }, alice, region.public);
    expect(letterProblem({ purpose: 'share-text', to: [region.public, alice.public] }, env, region.public)).toMatch(/start with its sender/);
    expect(letterProblem({ purpose: 'share-text', to: [alice.public] }, env, region.public)).toMatch(/name the region key/);
    expect(letterProblem({ purpose: 'share-text', to: [alice.public, region.public, 'zzz'] }, env, region.public)).toMatch(/must be a public key/);
  });
});
