import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/hub-config';
import { loadKeyVault } from '../src/regions/master-key';

describe('development master key', () => {
  it('is generated once, mode 0600, and reused by the next start (a fresh checkout included)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kiki-key-')), 'nested', 'master.key');
    const config = loadConfig({ HUB_MASTER_KEY_FILE: file });
    const sealed = loadKeyVault(config).seal(Buffer.from('region secret'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadKeyVault(loadConfig({ HUB_MASTER_KEY_FILE: file })).open(sealed).toString()).toBe('region secret');
  });

  it('is not used when HUB_MASTER_KEY is set', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kiki-key-')), 'master.key');
    const vault = loadKeyVault(loadConfig({ HUB_MASTER_KEY: 'ab'.repeat(32), HUB_MASTER_KEY_FILE: file }));
    expect(vault.open(vault.seal(Buffer.from('x'))).toString()).toBe('x');
    expect(() => statSync(file)).toThrow();
  });
});
