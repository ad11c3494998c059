/** The core (letters, keyring, feed, sync logic) must run outside Node: only type imports of the Node-bound libraries. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(__dirname, '../src/core');
/** Runtime imports allowed in the core: its own files and libraries that run in browsers. */
const ALLOWED = [/^\.\/[a-z0-9-]+$/, /^sanitize-html$/];

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
});
