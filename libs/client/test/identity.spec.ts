/** The identity file: private keys, so mode 0600, atomic writes, strict validation. */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@kiki/crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityError, initIdentity, loadIdentity, parseIdentity, pickRegion, saveIdentity, withRegion } from '../src/node/identity';

describe('identity file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'kiki-identity-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('is created with mode 0600 inside a 0700 directory, and loads back', async () => {
    const path = join(dir, 'home', 'identity.json');
    const id = await initIdentity(path);
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(join(dir, 'home'))).mode & 0o777).toBe(0o700);
    expect(await loadIdentity(path)).toEqual(id);
  });

  it('keeps mode 0600 whatever the umask, and leaves no temp file behind', async () => {
    const path = join(dir, 'identity.json');
    const old = process.umask(0o000);
    try {
      await initIdentity(path);
      const region = { ...generateKeyPair(), hub: 'http://hub.example:8080/' };
      await saveIdentity(path, withRegion(await loadIdentity(path), region));
    } finally {
      process.umask(old);
    }
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(['identity.json']);
    expect((await loadIdentity(path)).regions[0].hub).toBe('http://hub.example:8080');
  });

  it('never replaces an existing identity unless asked', async () => {
    const path = join(dir, 'identity.json');
    const first = await initIdentity(path);
    await expect(initIdentity(path)).rejects.toMatchObject({ code: 'IDENTITY_EXISTS' });
    expect((await loadIdentity(path)).person).toEqual(first.person);
    const second = await initIdentity(path, { overwrite: true });
    expect(second.person.public).not.toBe(first.person.public);
  });

  it('tightens a file readable by others (or refuses it when asked)', async () => {
    const path = join(dir, 'identity.json');
    await initIdentity(path);
    await fs.chmod(path, 0o644);
    await expect(loadIdentity(path, { insecureMode: 'refuse' })).rejects.toMatchObject({ code: 'IDENTITY_INSECURE' });
    const warnings: string[] = [];
    await loadIdentity(path, { onWarning: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/0644/);
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses keypairs whose halves do not match, bad hubs and duplicate regions', () => {
    const person = generateKeyPair();
    const region = generateKeyPair();
    expect(() => parseIdentity({ person: { public: person.public, private: region.private }, regions: [] })).toThrow(IdentityError);
    expect(() => parseIdentity({ person, regions: [{ ...region, hub: 'ftp://x' }] })).toThrow(/http/);
    expect(() => parseIdentity({ person, regions: [region, region] })).toThrow(/repeats/);
    expect(parseIdentity({ person, regions: [region] })).toEqual({ person, friends: [], regions: [region] });
  });

  it('joins, re-joins (updating the hub) and picks regions', () => {
    const id = parseIdentity({ person: generateKeyPair(), regions: [] });
    expect(() => pickRegion(id)).toThrow(/join/);
    const a = generateKeyPair();
    const b = generateKeyPair();
    const joined = withRegion(withRegion(id, { ...a, hub: 'http://one' }), { ...b });
    const moved = withRegion(joined, { ...a, hub: 'https://two/' });
    expect(moved.regions.map((r) => [r.public, r.hub])).toEqual([
      [a.public, 'https://two'],
      [b.public, undefined],
    ]);
    expect(pickRegion(moved).public).toBe(a.public);
    expect(pickRegion(moved, b.public).public).toBe(b.public);
  });
});
