import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from './csv';

describe('CSV of the people table', () => {
  it('quotes what needs quoting and neutralises formulas in names people chose', () => {
    expect(csvLine(['abc', 12.5, null, undefined])).toBe('abc,12.5,,\r\n');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\nthere')).toBe('"say ""hi""\nthere"');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const evil of ['+1', '-1+2', '@SUM(A1)', '\tx']) expect(csvField(evil).replace(/^"/, '')[0]).toBe("'");
    expect(csvField(-5)).toBe('-5'); // numbers are numbers
  });
});
