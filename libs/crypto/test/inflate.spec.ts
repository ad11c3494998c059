import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InflateError, inflateRawText, rawInflaterMode } from '../src/inflate';

const MAX = 4 * 1024 * 1024;

/** What Node's own one-shot inflater says of the same input: text, or 'error'/'too large'. */
function reference(input: Uint8Array, maxBytes: number): string {
  try {
    return inflateRawSync(input, { maxOutputLength: maxBytes }).toString('utf8');
  } catch (e) {
    return (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too large' : 'error';
  }
}

function ours(input: Uint8Array, maxBytes: number): string {
  try {
    return inflateRawText(input, maxBytes);
  } catch (e) {
    expect(e).toBeInstanceOf(InflateError);
    return (e as InflateError).tooLarge ? 'too large' : 'error';
  }
}

describe('inflateRawText (one zlib handle reused between letters)', () => {
  it('uses the reused handle on this Node (a fallback to streams would silently cost ~7 µs per letter)', () => {
    expect(rawInflaterMode()).toBe('reused-handle');
  });

  it('gives the same text as inflateRawSync for letters of every size, across the 64 KiB buffer edge', () => {
    for (const size of [0, 1, 100, 1000, 4096, 65_535, 65_536, 65_537, 200_000]) {
      const text = 'kiki '.repeat(size / 5 + 1).slice(0, size);
      const input = deflateRawSync(Buffer.from(text), { level: 9 });
      expect(inflateRawText(input, MAX)).toBe(text);
    }
    // incompressible too (output barely larger than input)
    const noise = randomBytes(70_000).toString('base64');
    expect(inflateRawText(deflateRawSync(Buffer.from(noise)), MAX)).toBe(noise);
  });

  it('agrees with inflateRawSync on arbitrary, truncated, corrupted and padded streams', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 3 }),
        (plain, cut, flip, how) => {
          let input: Uint8Array = deflateRawSync(plain, { level: 9 });
          if (how === 1) input = input.subarray(0, cut % (input.length + 1)); // truncated
          if (how === 2 && input.length > 0) {
            input = Buffer.from(input);
            input[flip % input.length] ^= 1 + (cut % 255); // corrupted
          }
          if (how === 3) input = Buffer.concat([input, Buffer.from(plain.subarray(0, 20))]); // trailing data
          expect(ours(input, MAX)).toBe(reference(input, MAX));
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (garbage) => {
        expect(ours(garbage, MAX)).toBe(reference(garbage, MAX));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps working after an error (a handle that failed is replaced, never reused)', () => {
    const good = deflateRawSync(Buffer.from('{"purpose":"share-text"}'));
    for (let i = 0; i < 3; i++) {
      expect(() => inflateRawText(Buffer.from('not deflate at all'), MAX)).toThrow(InflateError);
      expect(() => inflateRawText(good.subarray(0, good.length - 3), MAX)).toThrow(/unexpected end of file/);
      expect(inflateRawText(good, MAX)).toBe('{"purpose":"share-text"}');
    }
  });

  it('refuses output past the bound, below and above the reused buffer size', () => {
    const small = deflateRawSync(Buffer.alloc(5000, 0x61));
    expect(() => inflateRawText(small, 4999)).toThrow(expect.objectContaining({ tooLarge: true }));
    expect(inflateRawText(small, 5000)).toBe('a'.repeat(5000));
    const bomb = deflateRawSync(Buffer.alloc(8 * 1024 * 1024)); // 8 MiB of zeros in ~8 KB
    expect(() => inflateRawText(bomb, MAX)).toThrow(expect.objectContaining({ tooLarge: true }));
    expect(inflateRawText(deflateRawSync(Buffer.from('after the bomb')), MAX)).toBe('after the bomb');
  });

  it('decodes invalid UTF-8 the way Buffer#toString does (U+FFFD), leaving the refusal to the letter parser', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(inflateRawText(deflateRawSync(bytes), MAX)).toBe(bytes.toString('utf8'));
  });
});
