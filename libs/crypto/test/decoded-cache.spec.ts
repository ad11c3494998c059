import { describe, expect, it } from 'vitest';
import { generateKeyPair, NotARecipientError, Opener, parseEnvelope, RegionValidator, seal, sealedLetterBytes, SignatureError } from '../src';

const region = generateKeyPair();
const alice = generateKeyPair();
const bob = generateKeyPair();

function parsedPublic() {
  return parseEnvelope(JSON.stringify(seal({ purpose: 'share-text', content: 'hi', recipients: [region.public] }, alice, region.public)));
}

describe('bytes remembered from parsing', () => {
  it('are used while the fields hold the parsed text', () => {
    const env = parsedPublic();
    expect(sealedLetterBytes(env).equals(Buffer.from(env.sealed_letter, 'base64'))).toBe(true);
    expect(() => new RegionValidator(region).validate(env)).not.toThrow();
    expect(new Opener([region]).open(env).letter.content).toBe('hi');
  });

  it('are never reused once a field is changed in place', () => {
    const other = parsedPublic();
    const env = parsedPublic();
    env.signature = seal({ purpose: 'share-text', content: 'x', recipients: [region.public] }, bob, region.public).signature;
    expect(() => new RegionValidator(region).validate(env)).toThrow(SignatureError);

    const env2 = parsedPublic();
    env2.sealed_recipients[0] = other.sealed_recipients[0];
    env2.sealed_recipients[1] = other.sealed_recipients[1];
    // the boxes now hold another letter's key: the letter itself no longer opens with it
    expect(() => new Opener([region]).open(env2)).toThrow();

    const env3 = parsedPublic();
    env3.sealed_letter = other.sealed_letter;
    expect(sealedLetterBytes(env3).equals(Buffer.from(other.sealed_letter, 'base64'))).toBe(true);

    const env4 = parsedPublic();
    env4.sealed_recipients = [seal({ purpose: 'share-text', content: 'y', recipients: [bob.public] }, alice, region.public).sealed_recipients[1]];
    expect(() => new Opener([region]).open(env4)).toThrow(NotARecipientError);
  });
});
