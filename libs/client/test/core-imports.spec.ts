/** The core (letters, keyring, feed, sync logic) must run outside Node: only type imports of the Node-bound libraries. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(__dirname, '../src/core');
/** Runtime imports allowed in the core: its own files, libraries that run in browsers, and @kiki/crypto's sodium-free entry. */
const ALLOWED = [/^\.\/[a-z0-9-]+$/, /^sanitize-html$/, /^@kiki\/crypto\/letters$/];
/** Where that entry points (tsconfig paths, vitest alias): it must itself import nothing at run time. */
const SODIUM_FREE = join(__dirname, '../../crypto/src/letter-kinds.ts');

describe('libs/client/src/core', () => {
  it('imports nothing Node-only at run time (crypto, store and transport come in through interfaces)', () => {
    const offending: string[] = [];
    for (const file of readdirSync(CORE).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(CORE, file), 'utf8');
      for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gms)) {
        const [, , typeOnly, from] = m;
        if (typeOnly) continue;
        if (!ALLOWED.some((re) => re.test(from))) offending.push(`${file}: ${from}`);
      }
      if (/\b(Buffer|process|require)\s*[.(]/.test(text)) offending.push(`${file}: uses a Node global`);
    }
    expect(offending).toEqual([]);
  });

  it("reaches @kiki/crypto only through its sodium-free entry, which imports nothing at run time", () => {
    const text = readFileSync(SODIUM_FREE, 'utf8');
    expect([...text.matchAll(/^(import|export)\s+(?!type\s)[^'";]*?from\s+'([^']+)'/gms)].map((m) => m[2])).toEqual([]);
    expect(text).not.toMatch(/\b(require|process|Buffer)\s*[.(]/);
  });
});
